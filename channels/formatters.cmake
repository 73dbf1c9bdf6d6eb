# Channel formatters (pure): content + templates -> each channel's rendering and its problems.
add_library(gd_channel_formatters STATIC
  ${CMAKE_CURRENT_LIST_DIR}/channel_limits.cc
  ${CMAKE_CURRENT_LIST_DIR}/formatter_util.cc
  ${CMAKE_CURRENT_LIST_DIR}/short_video_formatter.cc
  ${CMAKE_CURRENT_LIST_DIR}/portal/formatter.cc
  ${CMAKE_CURRENT_LIST_DIR}/portal/site.cc
  ${CMAKE_CURRENT_LIST_DIR}/wechat_mp/formatter.cc
  ${CMAKE_CURRENT_LIST_DIR}/weibo/formatter.cc
  ${CMAKE_CURRENT_LIST_DIR}/douyin/formatter.cc
  ${CMAKE_CURRENT_LIST_DIR}/kuaishou/formatter.cc
  ${CMAKE_CURRENT_LIST_DIR}/manual/formatter.cc
)
gd_target_defaults(gd_channel_formatters)
target_link_libraries(gd_channel_formatters PUBLIC gd_model gd_render)
