# Channel clients (network half of each adapter) and the platform sandboxes.
set(GD_CH ${CMAKE_CURRENT_LIST_DIR})

add_library(gd_channel_clients STATIC
  ${GD_CH}/transport.cc
  ${GD_CH}/token_cache.cc
  ${GD_CH}/client.cc
  ${GD_CH}/builtin_channels.cc
  ${GD_CH}/field_check.cc
  ${GD_CH}/portal/kind.cc
  ${GD_CH}/wechat_mp/kind.cc
  ${GD_CH}/weibo/kind.cc
  ${GD_CH}/douyin/kind.cc
  ${GD_CH}/kuaishou/kind.cc
  ${GD_CH}/manual/kind.cc
  ${GD_CH}/client_support.cc
  ${GD_CH}/portal/client.cc
  ${GD_CH}/portal/builtin_client.cc
  ${GD_CH}/wechat_mp/client.cc
  ${GD_CH}/wechat_mp/errors.cc
  ${GD_CH}/wechat_mp/events.cc
  ${GD_CH}/wechat_mp/msg_crypt.cc
  ${GD_CH}/weibo/client.cc
  ${GD_CH}/douyin/client.cc
  ${GD_CH}/kuaishou/client.cc
  ${GD_CH}/manual/client.cc
)
gd_target_defaults(gd_channel_clients)
target_link_libraries(gd_channel_clients PUBLIC gd_core gd_channel_formatters PRIVATE PkgConfig::HTTPLIB)

add_library(gd_sandbox STATIC
  ${GD_CH}/sandbox/platform.cc
  ${GD_CH}/sandbox/page.cc
  ${GD_CH}/sandbox/server.cc
  ${GD_CH}/portal/sandbox.cc
  ${GD_CH}/wechat_mp/sandbox.cc
  ${GD_CH}/wechat_mp/sandbox_mass.cc
  ${GD_CH}/wechat_mp/sandbox_push.cc
  ${GD_CH}/weibo/sandbox.cc
  ${GD_CH}/douyin/sandbox.cc
  ${GD_CH}/kuaishou/sandbox.cc
)
gd_target_defaults(gd_sandbox)
target_link_libraries(gd_sandbox PUBLIC gd_channel_clients gd_core PRIVATE PkgConfig::HTTPLIB)
