add_library(gd_channel_clients STATIC
  ${CMAKE_CURRENT_LIST_DIR}/clients_placeholder.cc
)
gd_target_defaults(gd_channel_clients)
target_link_libraries(gd_channel_clients PUBLIC gd_core PkgConfig::HTTPLIB)
