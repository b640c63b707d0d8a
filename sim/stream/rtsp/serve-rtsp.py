#!/usr/bin/python3
"""Re-serves a virtual camera's HTTP MJPEG stream as RTSP (RTP/JPEG), with Debian's GStreamer RTSP
server, so the engine can be fed over RTSP as it is by many real cameras. The simulator only: the
engine never runs this.

    serve-rtsp.py HTTP_URL PORT PATH

prints "ready rtsp://127.0.0.1:PORT/PATH" on stdout once it listens, and runs until killed.
Packages: python3-gi, gir1.2-gst-rtsp-server-1.0, gstreamer1.0-plugins-good (scripts/install-deps.sh).
"""
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402


def main(argv):
    if len(argv) != 4:
        sys.exit(f"usage: {argv[0]} HTTP_URL PORT PATH")
    url, port, path = argv[1], argv[2], argv[3].strip("/")
    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(port)
    factory = GstRtspServer.RTSPMediaFactory()
    # The camera's JPEG frames go out as they are (RTP/JPEG, RFC 2435): no re-encoding.
    factory.set_launch(f'( souphttpsrc location="{url}" is-live=true do-timestamp=true '
                       f'! multipartdemux ! jpegparse ! rtpjpegpay name=pay0 pt=26 )')
    factory.set_shared(True)
    server.get_mount_points().add_factory("/" + path, factory)
    if server.attach(None) == 0:
        sys.exit(f"cannot listen on 127.0.0.1:{port}")
    print(f"ready rtsp://127.0.0.1:{port}/{path}", flush=True)
    GLib.MainLoop().run()


if __name__ == "__main__":
    main(sys.argv)
