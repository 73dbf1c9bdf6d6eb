// Request decoders shared beyond their route file: the demo seeding and the tests build typed
// requests from the same JSON a client sends, through the same checks.
#pragma once

#include "dispatcher/accounts/account_service.h"
#include "dispatcher/channel_accounts/channel_service.h"
#include "dispatcher/core/json_util.h"
#include "dispatcher/core/status.h"

namespace gd {

// POST /api/channels and PATCH /api/channels/{id} bodies. Errors: 400 bad_request when the body
// is not an object; 422 invalid with details.fields naming every bad field.
StatusOr<ChannelCreate> DecodeChannelCreate(const Json& body);
StatusOr<ChannelPatch> DecodeChannelPatch(const Json& body);

// POST /api/users and PATCH /api/users/{id} bodies, with the same errors.
StatusOr<NewUser> DecodeNewUser(const Json& body);
StatusOr<UserPatch> DecodeUserPatch(const Json& body);

}  // namespace gd
