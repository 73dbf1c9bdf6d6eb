#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "dispatcher/http/decode.h"
#include "dispatcher/http/routes/routes.h"

namespace gd {
namespace {

using R = Role;

StatusOr<ApiResponse> ServeMedia(const MediaRow& row, const std::filesystem::path& path) {
  ApiResponse res;
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("素材文件缺失");
  std::stringstream ss;
  ss << in.rdbuf();
  res.body = ss.str();
  res.content_type = row.mime;
  res.headers.push_back({"Cache-Control", "private, max-age=86400"});
  return res;
}

}  // namespace

std::vector<Route> MediaRoutes(const RouteDeps& d) {
  MediaService* media = d.media;
  std::vector<Route> routes;
  routes.push_back({
      .method = "POST",
      .path = "/api/media",
      .roles = {R::kEditor},
      .raw_body = true,
      .handler = [=](ApiRequest& r) -> StatusOr<ApiResponse> {
        if (!r.raw->is_multipart_form_data() || !r.raw->has_file("file"))
          return InvalidArgument("请以 multipart/form-data 上传，文件字段名为 file", "invalid",
                                 {{"fields", {{"file", "缺少文件"}}}});
        const auto& file = r.raw->get_file_value("file");
        GD_ASSIGN_OR_RETURN(Json j, media->Upload(*r.auth, file.filename, file.content));
        return JsonResponse(std::move(j), 201);
      },
  });
  routes.push_back({
      .method = "GET",
      .path = R"(/api/media/(\d+))",
      .handler = [=](ApiRequest& r) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(int64_t id, PathId(r, 0, "素材不存在"));
        GD_ASSIGN_OR_RETURN(auto found, media->Open(*r.auth, id));
        return ServeMedia(found.first, found.second);
      },
  });
  routes.push_back({
      .method = "GET",
      .path = R"(/api/media/by-sha256/([0-9a-f]{64}))",
      .handler = [=](ApiRequest& r) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(auto found, media->OpenBySha(*r.auth, r.params.at(0)));
        return ServeMedia(found.first, found.second);
      },
  });
  return routes;
}

}  // namespace gd
