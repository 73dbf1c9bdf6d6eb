// Manual hand-off (视频号, 小红书, 头条号 and the like): nothing goes on the network. Publish
// records a hand-off task in the progress (state["task"]) and returns kAwaiting; the engine
// shows the task to an operator and, when the operator confirms, writes
// state["confirmed_url"] and/or state["confirmed_id"]; Poll then reports kPublished.
#pragma once

#include <memory>

#include "channels/client.h"

namespace gd::channels::manual {

std::unique_ptr<Client> NewClient(const ClientDeps& deps);

}  // namespace gd::channels::manual
