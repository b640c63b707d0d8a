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
)

func newSimCameraCommand() *cobra.Command {
	var (
		listen, condition, asOf string
		seed                    uint64
		fps                     float64
		perPass, gap, passes    int
		width, height           int
		waitViewer              bool
	)
	cmd := &cobra.Command{
		Use:   "camera [--listen ADDR] [--condition NAME|mixed] [--passes N]",
		Short: "Serve a virtual camera as a live HTTP MJPEG stream of passing vehicles",
		Long: `Serve a virtual ANPR camera on http://ADDR/camera.mjpg as an MJPEG stream
(multipart/x-mixed-replace), the way many IP cameras do: vehicles pass one
after another, each seen in --frames-per-pass frames, with the empty road for
--gap frames between them. A viewer that cannot keep up misses frames; the
camera never waits for it.

Each pass's truth (plate, condition, first and last frame times) is printed
as a JSON line on standard output when the pass has been shown, for scoring
what a reader of the stream reported. Runs until interrupted, or for --passes.`,
		Example: `  anpr sim camera --listen 127.0.0.1:8081 &
  anpr watch --source http://127.0.0.1:8081/camera.mjpg --camera virtual-1`,
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
			r, err := scene.NewRenderer(scene.Options{AsOf: date, Width: width, Height: height, MinCharPx: 20, MaxCharPx: 60})
			if err != nil {
				return usageError{err}
			}
			defer r.Close()
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

			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			out := json.NewEncoder(cmd.OutOrStdout())
			return stream.RunCamera(ctx, cam, r, stream.CameraOptions{Condition: condition, Seed: seed, FPS: fps,
				FramesPerPass: perPass, Gap: gap, Passes: passes, WaitForViewer: waitViewer},
				nil, func(t stream.PassTruth) error { return out.Encode(t) })
		},
	}
	f := cmd.Flags()
	f.StringVar(&listen, "listen", "127.0.0.1:8081", "address to serve on")
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
