# Channel formatters (pure): content + templates -> each channel's rendering and its problems.
add_library(gd_channel_formatters STATIC
  ${GD_CH}/channel_limits.cc
  ${GD_CH}/formatter_util.cc
  ${GD_CH}/short_video_formatter.cc
  ${GD_CH_FORMATTER_SRCS}
)
gd_target_defaults(gd_channel_formatters)
target_link_libraries(gd_channel_formatters PUBLIC gd_model gd_render)
