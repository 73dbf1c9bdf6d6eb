# The kuaishou channel's sources, by library (channels/CMakeLists.txt includes every platform's).
gd_channel_sources(kuaishou
  FORMATTER formatter.cc
  CLIENT kind.cc client.cc oauth.cc
  SANDBOX sandbox.cc demo.cc sandbox_oauth.cc)
