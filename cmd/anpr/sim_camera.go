package main

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"anpr/sim/scene"
	"anpr/sim/stream"
	"anpr/sim/stream/rtsp"
)

func newSimCameraCommand() *cobra.Command {
	var (
		listen, condition, asOf string
		video                   string
		rtspPort                int
		seed                    uint64
		fps                     float64
		perPass, gap, passes    int
		width, height           int
		waitViewer              bool
	)
	cmd := &cobra.Command{
		Use:   "camera [--listen ADDR | --video FILE] [--condition NAME|mixed] [--passes N]",
		Short: "Serve a virtual camera as a live HTTP MJPEG stream of passing vehicles, or record one to a video file",
		Long: `Serve a virtual ANPR camera on http://ADDR/camera.mjpg as an MJPEG stream
(multipart/x-mixed-replace), the way many IP cameras do: vehicles pass one
after another, each seen in --frames-per-pass frames, with the empty road for
--gap frames between them. A viewer that cannot keep up misses frames; the
camera never waits for it.

Each pass's truth (plate, condition, first and last frame times) is printed
as a JSON line on standard output when the pass has been shown, for scoring
what a reader of the stream reported, with the numbers of the first and last
frames the vehicle is in. Runs until interrupted, or for --passes.

--rtsp PORT also serves the stream as rtsp://127.0.0.1:PORT/camera (the same
JPEG frames over RTP, through Debian's GStreamer RTSP server), as many real
cameras offer it.

--video FILE records --passes vehicles to a video file instead (.avi: Motion
JPEG; .mp4: MPEG-4), as fast as they render, for the engine to read as a
recorded feed; the truth lines then carry frame numbers only.`,
		Example: `  anpr sim camera --listen 127.0.0.1:8081 &
  anpr watch --source http://127.0.0.1:8081/camera.mjpg --camera virtual-1

  anpr sim camera --video passes.avi --passes 20 --condition mixed > truth.jsonl
  anpr watch --source passes.avi --camera virtual-1`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			date, err := parseAsOf(asOf)
			if err != nil {
				return err
			}
			if condition != scene.Mixed {
				if err := scene.CheckCondition(condition); err != nil {
					return usageError{err}
				}
			}
			if fps <= 0 || fps > 60 || perPass < 1 || gap < 0 || passes < 0 {
				return badInput("need 0 < --fps <= 60, --frames-per-pass >= 1, --gap >= 0 and --passes >= 0")
			}
			if video != "" && passes == 0 {
				return badInput("--video needs --passes N (a file must end)")
			}
			r, err := scene.NewRenderer(scene.Options{AsOf: date, Width: width, Height: height, MinCharPx: 20, MaxCharPx: 60})
			if err != nil {
				return usageError{err}
			}
			defer r.Close()
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			out := json.NewEncoder(cmd.OutOrStdout())
			opts := stream.CameraOptions{Condition: condition, Seed: seed, FPS: fps,
				FramesPerPass: perPass, Gap: gap, Passes: passes, WaitForViewer: waitViewer}
			if video != "" {
				vf, err := stream.CreateVideoFile(video, fps, width, height)
				if err != nil {
					return usageError{err}
				}
				opts.Unpaced = true
				err = stream.RunCamera(ctx, vf, r, opts, nil, func(t stream.PassTruth) error { return out.Encode(t) })
				if cerr := vf.Close(); err == nil {
					err = cerr
				}
				if err == nil {
					fmt.Fprintf(cmd.ErrOrStderr(), "anpr sim camera: wrote %d frames to %s\n", vf.Frames(), video)
				}
				return err
			}
			ln, err := net.Listen("tcp", listen)
			if err != nil {
				return usageError{fmt.Errorf("listen on %s: %w", listen, err)}
			}
			cam := stream.NewMJPEGServer()
			mux := http.NewServeMux()
			mux.Handle("/camera.mjpg", cam)
			srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
			go srv.Serve(ln)
			defer srv.Close()
			defer cam.Close()
			fmt.Fprintf(cmd.ErrOrStderr(), "anpr sim camera: serving http://%s/camera.mjpg\n", ln.Addr())
			if rtspPort > 0 {
				if err := rtsp.Available(); err != nil {
					return usageError{fmt.Errorf("--rtsp: %w", err)}
				}
				rs, err := rtsp.Start(ctx, fmt.Sprintf("http://%s/camera.mjpg", ln.Addr()), rtspPort, "camera")
				if err != nil {
					return fmt.Errorf("--rtsp %d: %w", rtspPort, err)
				}
				defer rs.Close()
				fmt.Fprintf(cmd.ErrOrStderr(), "anpr sim camera: serving %s\n", rs.URL)
			}
			return stream.RunCamera(ctx, cam, r, opts, nil, func(t stream.PassTruth) error { return out.Encode(t) })
		},
	}
	f := cmd.Flags()
	f.StringVar(&listen, "listen", "127.0.0.1:8081", "address to serve on")
	f.IntVar(&rtspPort, "rtsp", 0, "also serve the stream as RTSP on 127.0.0.1:PORT/camera (RTP/JPEG, through Debian's GStreamer RTSP server)")
	f.StringVar(&video, "video", "", "record to this video file (.avi or .mp4) instead of serving a stream")
	f.StringVar(&condition, "condition", "day", "light and weather (a named condition or mixed)")
	f.Uint64Var(&seed, "seed", 1, "seed for the vehicles and plates")
	f.Float64Var(&fps, "fps", 10, "frames per second")
	f.IntVar(&perPass, "frames-per-pass", 10, "frames in which each vehicle is seen")
	f.IntVar(&gap, "gap", 8, "frames of empty road between vehicles")
	f.IntVar(&passes, "passes", 0, "stop after this many vehicles (0: run until interrupted)")
	f.IntVar(&width, "width", 1280, "frame width")
	f.IntVar(&height, "height", 720, "frame height")
	f.BoolVar(&waitViewer, "wait-for-viewer", false, "start the first vehicle only once a viewer is connected")
	f.StringVar(&asOf, "date", "2026-11-25", "date the plates are issued up to, YYYY-MM-DD")
	return cmd
}
