# The bilibili channel's sources, by library (channels/CMakeLists.txt includes every platform's).
gd_channel_sources(bilibili
  FORMATTER formatter.cc
  CLIENT kind.cc client.cc
  SANDBOX sandbox.cc demo.cc)
