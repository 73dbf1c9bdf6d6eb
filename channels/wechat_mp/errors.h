// WeChat errcodes and their retry meaning (docs/channels-protocols.md §1.7 and the conformance
// table's mass-send rows).
#pragma once

#include <string>

#include "dispatcher/core/clock.h"
#include "dispatcher/core/json_util.h"
#include "dispatcher/core/status.h"

namespace gd::channels::wechat_mp {

inline constexpr const char* kLabel = "微信公众号";

// 40001, 40014, 42001: the access token is invalid or expired.
bool IsTokenError(int code);
// A WeChat errcode as a Status with its retry meaning; `now` dates the daily quotas.
Status MapError(int code, const std::string& errmsg, TimeMs now);
// The body's errcode (absent = 0; a string is read as a number).
int ErrCode(const Json& j);

}  // namespace gd::channels::wechat_mp
