// WeChat official account (公众号) client: stable_token, uploadimg, add_material, draft/add,
// freepublish/submit + get (or message/mass/sendall when settings.publish_mode is "mass_send"),
// freepublish/delete, batchget for reconciling a lost submit; a mass-send carries a clientmsgid
// and a lost sendall answer is settled only by resending it (45065). docs/channels-protocols.md
// §1 and the conformance table.
#pragma once

#include <memory>

#include "channels/client.h"

namespace gd::channels::wechat_mp {

std::unique_ptr<Client> NewClient(const ClientDeps& deps);

}  // namespace gd::channels::wechat_mp
