# Channel clients (network half of each adapter) and the platform sandboxes.
add_library(gd_channel_clients STATIC
  ${GD_CH}/transport.cc
  ${GD_CH}/proxy.cc
  ${GD_CH}/token_cache.cc
  ${GD_CH}/client.cc
  ${GD_CH}/builtin_channels.cc
  ${GD_CH}/field_check.cc
  ${GD_CH}/client_support.cc
  ${GD_CH}/oauth.cc
  ${GD_CH_CLIENT_SRCS}
)
gd_target_defaults(gd_channel_clients)
target_link_libraries(gd_channel_clients PUBLIC gd_core gd_channel_formatters PRIVATE PkgConfig::HTTPLIB)

add_library(gd_sandbox STATIC
  ${GD_CH}/sandbox/platform.cc
  ${GD_CH}/sandbox/page.cc
  ${GD_CH}/sandbox/oauth_grant.cc
  ${GD_CH}/sandbox/server.cc
  ${GD_CH}/sandbox/registry.cc
  ${GD_CH_SANDBOX_SRCS}
)
gd_target_defaults(gd_sandbox)
target_link_libraries(gd_sandbox PUBLIC gd_channel_clients gd_core PRIVATE PkgConfig::HTTPLIB)
