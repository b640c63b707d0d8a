package scene

import (
	"sync/atomic"
	"testing"

	"gocv.io/x/gocv"

	"anpr/internal/cvthreads"
)

// benchmarkRender renders images of one kind on every core, one image per
// worker, as `anpr sim render` does, and reports images per second.
func benchmarkRender(b *testing.B, kind Kind, encode bool) {
	r := newTestRenderer(b)
	cvthreads.Set(1)
	defer cvthreads.Set(0)
	var seed uint64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			s, err := r.Render(kind, Mixed, atomic.AddUint64(&seed, 1))
			if err != nil {
				b.Error(err)
				return
			}
			if encode {
				buf, err := gocv.IMEncodeWithParams(gocv.JPEGFileExt, s.Image, []int{gocv.IMWriteJpegQuality, s.Label.Condition.JPEG})
				if err == nil {
					buf.Close()
				}
			}
			s.Image.Close()
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "images/s")
}

func BenchmarkRenderCrop(b *testing.B)           { benchmarkRender(b, KindCrop, false) }
func BenchmarkRenderCropJPEG(b *testing.B)       { benchmarkRender(b, KindCrop, true) }
func BenchmarkRenderScene1080p(b *testing.B)     { benchmarkRender(b, KindScene, false) }
func BenchmarkRenderScene1080pJPEG(b *testing.B) { benchmarkRender(b, KindScene, true) }
