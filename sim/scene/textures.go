package scene

import (
	"image"
	"math/rand/v2"

	"gocv.io/x/gocv"
)

// textures are noise fields made once per Renderer and cut at random
// offsets for every image: drawing fresh Gaussian noise for a 1080p frame
// costs more than the rest of the frame together.
type textures struct {
	noise     gocv.Mat // per-pixel sensor noise, mean 128, sd noiseSD, three channels
	noiseGrey gocv.Mat // one channel of noise, for monochrome (infrared) images
	grain     gocv.Mat // blurred noise: asphalt and paint texture
}

const noiseSD = 40.0

func newTextures(maxW, maxH int) *textures {
	const slack = 256
	t := &textures{}
	t.noise = gocv.NewMatWithSize(maxH+slack, maxW+slack, gocv.MatTypeCV8UC3)
	// A fixed seed: the textures are part of the renderer, not of an image.
	gocv.SetRNGSeed(20011)
	gocv.RandN(&t.noise, gocv.NewScalar(128, 128, 128, 0), gocv.NewScalar(noiseSD, noiseSD, noiseSD, 0))
	chans := gocv.Split(t.noise)
	t.noiseGrey = chans[0]
	chans[1].Close()
	chans[2].Close()
	t.grain = gocv.NewMat()
	gocv.GaussianBlur(t.noise, &t.grain, image.Point{0, 0}, 1.4, 1.4, gocv.BorderReflect101)
	return t
}

func (t *textures) Close() {
	t.noise.Close()
	t.noiseGrey.Close()
	t.grain.Close()
}

// window cuts a size-shaped region of src at a random offset.
func (t *textures) window(rng *rand.Rand, src gocv.Mat, size image.Point) gocv.Mat {
	x := rng.IntN(src.Cols() - size.X + 1)
	y := rng.IntN(src.Rows() - size.Y + 1)
	return src.Region(image.Rect(x, y, x+size.X, y+size.Y))
}

// addNoise adds zero-mean noise of standard deviation sd (grey levels).
func (t *textures) addNoise(rng *rand.Rand, m *gocv.Mat, sd float64) {
	src := t.noise
	if m.Channels() == 1 {
		src = t.noiseGrey // one channel keeps the full sd; a grey mix of three would not
	}
	t.add(rng, src, m, sd/noiseSD)
}

// addGrain adds fine texture with the given strength (grey levels).
func (t *textures) addGrain(rng *rand.Rand, m *gocv.Mat, strength float64) {
	t.add(rng, t.grain, m, strength/noiseSD)
}

func (t *textures) add(rng *rand.Rand, src gocv.Mat, m *gocv.Mat, k float64) {
	size := image.Point{m.Cols(), m.Rows()}
	if size.X > src.Cols() || size.Y > src.Rows() || k <= 0 || src.Channels() != m.Channels() {
		return
	}
	w := t.window(rng, src, size)
	defer w.Close()
	gocv.AddWeighted(*m, 1, w, k, -128*k, m)
}
