# The weibo channel's sources, by library (channels/CMakeLists.txt includes every platform's).
gd_channel_sources(weibo
  FORMATTER formatter.cc
  CLIENT kind.cc client.cc oauth.cc
  SANDBOX sandbox.cc demo.cc sandbox_oauth.cc)
