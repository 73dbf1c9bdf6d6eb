# The wechat_mp channel's sources, by library (channels/CMakeLists.txt includes every platform's).
gd_channel_sources(wechat_mp
  FORMATTER formatter.cc
  CLIENT kind.cc client.cc errors.cc events.cc msg_crypt.cc
  SANDBOX sandbox.cc demo.cc sandbox_mass.cc sandbox_push.cc)
