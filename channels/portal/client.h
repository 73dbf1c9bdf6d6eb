// Portal push mode: the approved article as signed JSON to an external site platform
// (集约化平台), docs/channels-protocols.md §6 integration style (1). Wire format (one generic
// REST flavour):
//   POST   {base}/api/articles        {"external_id": <dispatch_key>, "document": <rendering>}
//          → 201 {"id","url"} (200 with the existing one when external_id was seen: idempotent)
//   GET    {base}/api/articles?external_id=K → {"items":[{"id","url","external_id"}]}
//   DELETE {base}/api/articles/{id}
//   GET    {base}/api/ping
// Every request carries X-Gd-Timestamp (unix seconds) and
// X-Gd-Signature = hex HMAC-SHA256(signing_key, timestamp + "\n" + method + "\n" + path + "\n" +
// body). Errors: {"error":{"code","message"}} with 401 (signature), 422 (content_rejected), 429,
// 5xx.
#pragma once

#include <memory>
#include <string>

#include "channels/client.h"

namespace gd::channels::portal {

std::unique_ptr<Client> NewClient(const ClientDeps& deps);

// The signature both sides compute.
std::string SignRequest(const std::string& key, const std::string& timestamp,
                        const std::string& method, const std::string& path,
                        const std::string& body);

}  // namespace gd::channels::portal
