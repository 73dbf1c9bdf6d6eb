#include "records_test_util.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstring>

#include "dispatcher/store/channel_repo.h"
#include "dispatcher/store/dispatch_repo.h"
#include "dispatcher/store/ticket_repo.h"

namespace gd::testing {

void MarkPublished(Store& store, int64_t ticket_id, TimeMs at,
                   const std::vector<std::pair<int64_t, std::string>>& links) {
  Status st = store.Write([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(auto t, ticket_repo::GetTicket(tx, ticket_id));
    if (!t) return NotFound("no ticket");
    t->state = TicketState::kPublished;
    t->published_at = at;
    GD_RETURN_IF_ERROR(ticket_repo::UpdateTicket(tx, *t));
    for (const auto& [account, url] : links) {
      GD_ASSIGN_OR_RETURN(auto channel, channel_repo::GetChannel(tx, account));
      if (!channel) return NotFound("no channel account");
      Dispatch d;
      d.ticket_id = ticket_id;
      d.version = t->version;
      d.account_id = account;
      d.kind = channel->kind;
      d.state = "published";
      GD_RETURN_IF_ERROR(dispatch_repo::Insert(tx, d));
      d.remote_url = url;
      d.published_at = at;
      GD_RETURN_IF_ERROR(dispatch_repo::Update(tx, d, ""));
    }
    return Status::Ok();
  });
  ASSERT_TRUE(st.ok()) << st.ToString();
}

std::vector<std::vector<std::string>> ParseCsv(const std::string& text, bool* had_bom) {
  size_t i = 0;
  *had_bom = text.rfind("\xEF\xBB\xBF", 0) == 0;
  if (*had_bom) i = 3;
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false, any = false;
  for (; i < text.size(); ++i) {
    char c = text[i];
    any = true;
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      row.push_back(field);
      field.clear();
    } else if (c == '\r') {
      continue;
    } else if (c == '\n') {
      row.push_back(field);
      field.clear();
      rows.push_back(row);
      row.clear();
      any = false;
    } else {
      field += c;
    }
  }
  if (any) {
    row.push_back(field);
    rows.push_back(row);
  }
  return rows;
}

namespace {
uint32_t U32(const std::string& s, size_t p) {
  return static_cast<uint8_t>(s[p]) | static_cast<uint8_t>(s[p + 1]) << 8 |
         static_cast<uint8_t>(s[p + 2]) << 16 |
         static_cast<uint32_t>(static_cast<uint8_t>(s[p + 3])) << 24;
}
uint16_t U16(const std::string& s, size_t p) {
  return static_cast<uint16_t>(static_cast<uint8_t>(s[p]) | static_cast<uint8_t>(s[p + 1]) << 8);
}

std::string Unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    if (s[i] == '&') {
      static const std::pair<const char*, char> kEnt[] = {
          {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
      bool done = false;
      for (const auto& [ent, ch] : kEnt) {
        if (s.compare(i, std::strlen(ent), ent) == 0) {
          out += ch;
          i += std::strlen(ent);
          done = true;
          break;
        }
      }
      if (done) continue;
    }
    out += s[i++];
  }
  return out;
}

// Concatenated text of every <t ...>...</t> in `xml`.
std::string TextRuns(const std::string& xml) {
  std::string out;
  size_t p = 0;
  while ((p = xml.find("<t", p)) != std::string::npos) {
    size_t gt = xml.find('>', p);
    if (gt == std::string::npos) break;
    if (xml[p + 2] != '>' && xml[p + 2] != ' ') {
      p = gt;
      continue;
    }
    if (xml[gt - 1] == '/') {
      p = gt;
      continue;
    }
    size_t end = xml.find("</t>", gt);
    out += Unescape(xml.substr(gt + 1, end - gt - 1));
    p = end;
  }
  return out;
}
}  // namespace

std::optional<std::string> ZipEntry(const std::string& zip, const std::string& name) {
  if (zip.size() < 22) return std::nullopt;
  size_t eocd = zip.size() - 22;
  while (eocd > 0 && U32(zip, eocd) != 0x06054b50) --eocd;
  if (U32(zip, eocd) != 0x06054b50) return std::nullopt;
  uint16_t entries = U16(zip, eocd + 10);
  size_t p = U32(zip, eocd + 16);
  for (int i = 0; i < entries; ++i) {
    if (U32(zip, p) != 0x02014b50) return std::nullopt;
    uint16_t method = U16(zip, p + 10);
    uint32_t csize = U32(zip, p + 20), usize = U32(zip, p + 24);
    uint16_t nlen = U16(zip, p + 28), xlen = U16(zip, p + 30), clen = U16(zip, p + 32);
    uint32_t local = U32(zip, p + 42);
    std::string entry = zip.substr(p + 46, nlen);
    p += 46 + nlen + xlen + clen;
    if (entry != name) continue;
    size_t data = local + 30 + U16(zip, local + 26) + U16(zip, local + 28);
    if (method == 0) return zip.substr(data, csize);
    if (method != 8) return std::nullopt;
    std::string out(usize, '\0');
    z_stream zs{};
    if (inflateInit2(&zs, -MAX_WBITS) != Z_OK) return std::nullopt;
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(zip.data() + data));
    zs.avail_in = csize;
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = usize;
    int rc = inflate(&zs, Z_FINISH);
    inflateEnd(&zs);
    if (rc != Z_STREAM_END) return std::nullopt;
    return out;
  }
  return std::nullopt;
}

std::map<std::string, std::string> XlsxCells(const std::string& xlsx) {
  std::vector<std::string> shared;
  if (auto sst = ZipEntry(xlsx, "xl/sharedStrings.xml")) {
    size_t p = 0;
    while ((p = sst->find("<si>", p)) != std::string::npos) {
      size_t end = sst->find("</si>", p);
      shared.push_back(TextRuns(sst->substr(p, end - p)));
      p = end;
    }
  }
  std::map<std::string, std::string> cells;
  auto sheet = ZipEntry(xlsx, "xl/worksheets/sheet1.xml");
  if (!sheet) return cells;
  const std::string& x = *sheet;
  size_t p = 0;
  while ((p = x.find("<c r=\"", p)) != std::string::npos) {
    size_t q = x.find('"', p + 6);
    std::string ref = x.substr(p + 6, q - p - 6);
    size_t gt = x.find('>', q);
    std::string attrs = x.substr(q, gt - q);
    if (x[gt - 1] == '/') {
      p = gt;
      continue;
    }
    size_t end = x.find("</c>", gt);
    std::string inner = x.substr(gt + 1, end - gt - 1);
    std::string value;
    size_t v = inner.find("<v>");
    if (attrs.find("t=\"s\"") != std::string::npos && v != std::string::npos) {
      size_t idx = std::stoul(inner.substr(v + 3));
      value = idx < shared.size() ? shared[idx] : "";
    } else if (attrs.find("t=\"inlineStr\"") != std::string::npos) {
      value = TextRuns(inner);
    } else if (v != std::string::npos) {
      value = Unescape(inner.substr(v + 3, inner.find("</v>") - v - 3));
    }
    cells[ref] = value;
    p = end;
  }
  return cells;
}

std::map<int, std::vector<std::string>> XlsxRows(const std::string& xlsx) {
  std::map<int, std::vector<std::string>> rows;
  for (const auto& [ref, value] : XlsxCells(xlsx)) {
    size_t digits = ref.find_first_of("0123456789");
    int col = 0;
    for (size_t i = 0; i < digits; ++i) col = col * 26 + (ref[i] - 'A' + 1);
    int row = std::stoi(ref.substr(digits));
    auto& r = rows[row];
    if (r.size() < static_cast<size_t>(col)) r.resize(col);
    r[col - 1] = value;
  }
  return rows;
}

}  // namespace gd::testing
