add_library(gd_channel_formatters STATIC
  ${CMAKE_CURRENT_LIST_DIR}/formatters_placeholder.cc
)
gd_target_defaults(gd_channel_formatters)
target_link_libraries(gd_channel_formatters PUBLIC gd_core gd_render)
