# The douyin channel's sources, by library (channels/CMakeLists.txt includes every platform's).
gd_channel_sources(douyin
  FORMATTER formatter.cc
  CLIENT kind.cc client.cc oauth.cc
  SANDBOX sandbox.cc demo.cc)
