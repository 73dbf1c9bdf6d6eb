# The portal channel's sources, by library (channels/CMakeLists.txt includes every platform's).
gd_channel_sources(portal
  FORMATTER formatter.cc site.cc
  CLIENT kind.cc client.cc builtin_client.cc
  SANDBOX sandbox.cc demo.cc)
