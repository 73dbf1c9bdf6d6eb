#include "channels/sandbox/platform.h"

#include <algorithm>

namespace gd::channels::sandbox {

std::string SbRequest::Param(const std::string& name) const {
  auto it = params.find(name);
  return it == params.end() ? std::string() : it->second;
}
bool SbRequest::HasParam(const std::string& name) const { return params.count(name) > 0; }
std::string SbRequest::Header(const std::string& name) const {
  std::string lower = name;
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  auto it = headers.find(lower);
  return it == headers.end() ? std::string() : it->second;
}
const SbFile* SbRequest::File(const std::string& name) const {
  auto it = files.find(name);
  return it == files.end() ? nullptr : &it->second;
}

SbResponse SbResponse::FromJson(const Json& j, int status) {
  SbResponse r;
  r.status = status;
  r.body = DumpJson(j);
  return r;
}

Env::Env(SandboxOptions options)
    : options_(std::move(options)),
      clock_(options_.clock != nullptr ? options_.clock : &system_clock_) {}

std::string Env::NewId(const std::string& prefix) {
  std::lock_guard lock(mu_);
  return prefix + std::to_string(next_id_++);
}

bool Env::HasAuditWord(const std::string& text) const {
  for (const auto& w : options_.audit_trigger_words) {
    if (!w.empty() && text.find(w) != std::string::npos) return true;
  }
  return false;
}

void Env::AddPost(PostRecord post) {
  std::lock_guard lock(mu_);
  posts_.push_back(std::move(post));
}

void Env::MarkDeleted(const std::string& platform, const std::string& remote_id) {
  std::lock_guard lock(mu_);
  for (auto& p : posts_) {
    if (p.platform == platform && p.remote_id == remote_id) p.deleted = true;
  }
}

std::vector<PostRecord> Env::Posts(const std::string& platform) const {
  std::lock_guard lock(mu_);
  std::vector<PostRecord> out;
  for (const auto& p : posts_) {
    if (platform.empty() || p.platform == platform) out.push_back(p);
  }
  return out;
}

std::string Env::PutBlob(std::string content_type, std::string data) {
  std::lock_guard lock(mu_);
  std::string id = "b" + std::to_string(next_id_++);
  blobs_[id] = SbFile{id, std::move(content_type), std::move(data)};
  return id;
}

std::optional<SbFile> Env::GetBlob(const std::string& id) const {
  std::lock_guard lock(mu_);
  auto it = blobs_.find(id);
  if (it == blobs_.end()) return std::nullopt;
  return it->second;
}

std::optional<int> Env::TokenTtlSeconds(const std::string& platform) const {
  std::lock_guard lock(mu_);
  auto it = token_ttl_.find(platform);
  if (it == token_ttl_.end()) return std::nullopt;
  return it->second;
}

void Env::SetTokenTtlSeconds(const std::string& platform, std::optional<int> ttl) {
  std::lock_guard lock(mu_);
  if (ttl) {
    token_ttl_[platform] = *ttl;
  } else {
    token_ttl_.erase(platform);
  }
}

void TokenTable::Add(const std::string& token, TimeMs expires_at) { tokens_[token] = expires_at; }

TokenTable::State TokenTable::Check(const std::string& token, TimeMs now) const {
  auto it = tokens_.find(token);
  if (it == tokens_.end()) return State::kUnknown;
  if (it->second != 0 && now >= it->second) return State::kExpired;
  return State::kValid;
}

void TokenTable::ExpireAll(TimeMs now) {
  for (auto& [t, exp] : tokens_) {
    if (exp == 0 || exp > now) exp = now;
  }
}

void TokenTable::Erase(const std::string& token) { tokens_.erase(token); }

}  // namespace gd::channels::sandbox
