# The manual channel's sources, by library (channels/CMakeLists.txt includes every platform's).
gd_channel_sources(manual
  FORMATTER formatter.cc
  CLIENT kind.cc client.cc
  SANDBOX demo.cc)
