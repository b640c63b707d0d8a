package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"gocv.io/x/gocv"

	"anpr/sim/dataset"
	"anpr/sim/scene"
	"anpr/sim/stream"
)

// cameraTruth is one line of `anpr sim camera`'s truth log: a vehicle that
// passed, for scoring what a reader of the stream said.
type cameraTruth struct {
	Pass      int       `json:"pass"`
	Plate     string    `json:"plate"`
	Condition string    `json:"condition"`
	Start     time.Time `json:"start"`
	End       time.Time `json:"end"`
}

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
			tick := time.NewTicker(time.Duration(float64(time.Second) / fps))
			defer tick.Stop()
			show := func(frames []gocv.Mat) error {
				for _, f := range frames {
					select {
					case <-ctx.Done():
						return ctx.Err()
					case <-tick.C:
					}
					if err := cam.PublishMat(f, 90); err != nil {
						return err
					}
				}
				return nil
			}
			for waitViewer && cam.Clients() == 0 {
				select {
				case <-ctx.Done():
					return nil
				case <-time.After(20 * time.Millisecond):
				}
			}
			for i := 0; passes == 0 || i < passes; i++ {
				frames, label, err := stream.Pass(r, condition, scene.ImageSeed(seed, i), perPass)
				if err != nil {
					return err
				}
				road, _, err := dataset.RenderWritten(r, scene.KindEmpty, label.Condition.Name, scene.ImageSeed(seed+1, i))
				if err != nil {
					closeMats(frames)
					return err
				}
				for range gap {
					frames = append(frames, road.Clone())
				}
				road.Close()
				start := time.Now().UTC()
				err = show(frames)
				closeMats(frames)
				if errors.Is(err, context.Canceled) {
					return nil
				}
				if err != nil {
					return err
				}
				if err := out.Encode(cameraTruth{Pass: i + 1, Plate: label.Plate, Condition: label.Condition.Name, Start: start, End: time.Now().UTC()}); err != nil {
					return err
				}
			}
			return nil
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

func closeMats(ms []gocv.Mat) {
	for _, m := range ms {
		m.Close()
	}
}
