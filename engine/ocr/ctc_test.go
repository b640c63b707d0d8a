package ocr

import (
	"image"
	"image/color"
	"testing"
	"time"

	"gocv.io/x/gocv"

	"anpr/engine/vrm"
)

// columns builds line-reader scores from the class each column should show,
// with confidence conf and the rest of the mass on second (when not 0).
func columns(classes []int, second int) []float32 {
	scores := make([]float32, Frames*Classes)
	for t := 0; t < Frames; t++ {
		c := 0
		if t < len(classes) {
			c = classes[t]
		}
		scores[c*Frames+t] = 10
		if second != 0 && c != 0 {
			scores[second*Frames+t] = 8
		}
	}
	return scores
}

func TestFramesToSlotsMergesRepeatsAndDropsBlanks(t *testing.T) {
	a, b, one := charClass('A'), charClass('B'), charClass('1')
	// "AA" needs a blank between the two As; the repeated B columns are one B.
	p := framesToSlots(columns([]int{0, a, a, 0, a, b, b, b, 0, one}, 0))
	o := decodeOptions{maxPenalty: 3}
	got := decodeProbs(&p, o)
	if got.Raw != "" || got.Text != "AAB1" {
		t.Fatalf("read %q (raw %q), want AAB1", got.Text, got.Raw)
	}
	for s := 4; s < Slots; s++ {
		if p[s][0] != 1 {
			t.Errorf("slot %d past the text is not empty: %v", s, p[s][0])
		}
	}
}

func TestFramesToSlotsKeepsRunnersUp(t *testing.T) {
	eight, b := charClass('8'), charClass('B')
	p := framesToSlots(columns([]int{eight, eight}, b))
	if p[0][eight] < 0.8 || p[0][b] < 0.05 {
		t.Fatalf("slot 0: P(8)=%.3f P(B)=%.3f, want 8 first and B a clear runner-up", p[0][eight], p[0][b])
	}
	got := decodeProbs(&p, decodeOptions{maxPenalty: 3})
	if len(got.Chars) != 1 || len(got.Chars[0].Alternatives) == 0 || got.Chars[0].Alternatives[0].Char != "B" {
		t.Fatalf("chars %+v, want 8 with B as runner-up", got.Chars)
	}
}

func TestFramesToSlotsCutsLongReads(t *testing.T) {
	var cls []int
	for i := 0; i < 12; i++ {
		cls = append(cls, charClass(Alphabet[i]), 0)
	}
	p := framesToSlots(columns(cls, 0))
	got := decodeProbs(&p, decodeOptions{maxPenalty: 3})
	if got.Text != "ABCDEFGH" {
		t.Fatalf("read %q, want the first %d characters", got.Text, Slots)
	}
}

// A two-line crop reaches the line reader with its top line on the left and
// its bottom line on the right; a one-line crop is stretched whole.
func TestPreprocessLinesPutsTwoLinesSideBySide(t *testing.T) {
	// 70 x 50: dark top half, light bottom half.
	crop := gocv.NewMatWithSize(50, 70, gocv.MatTypeCV8U)
	defer crop.Close()
	crop.SetTo(gocv.NewScalar(20, 0, 0, 0))
	bottom := crop.Region(image.Rect(0, 25, 70, 50))
	bottom.SetTo(gocv.NewScalar(230, 0, 0, 0))
	bottom.Close()
	in, err := PreprocessLines(crop)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	if in.Rows() != InputHeight || in.Cols() != InputWidth {
		t.Fatalf("input %dx%d, want %dx%d", in.Cols(), in.Rows(), InputWidth, InputHeight)
	}
	left, right := in.GetUCharAt(InputHeight/2, InputWidth/4), in.GetUCharAt(InputHeight/2, 3*InputWidth/4)
	if left > 40 || right < 210 {
		t.Fatalf("left half %d, right half %d: want the dark top line left and the light bottom line right", left, right)
	}

	wide := gocv.NewMatWithSize(40, 160, gocv.MatTypeCV8U)
	defer wide.Close()
	gocv.Rectangle(&wide, image.Rect(0, 20, 160, 40), color.RGBA{255, 255, 255, 0}, -1)
	one, err := PreprocessLines(wide)
	if err != nil {
		t.Fatal(err)
	}
	defer one.Close()
	if top, bot := one.GetUCharAt(5, 80), one.GetUCharAt(42, 80); top != 0 || bot != 255 {
		t.Fatalf("one-line crop: top %d, bottom %d, want it stretched whole (0 above, 255 below)", top, bot)
	}
}

func classesOf(text string) []int {
	var cls []int
	for i := 0; i < len(text); i++ {
		cls = append(cls, charClass(text[i]), 0)
	}
	return cls
}

// A character read from the side band before the mark (the EU stars as
// C, ENG's E) is dropped when the rest is a valid mark; a valid read is
// left alone, and so is an invalid one that dropping does not mend.
func TestLineReaderDropsSideBandCharacters(t *testing.T) {
	r := &Reader{lines: true, opts: Options{Now: func() time.Time { return time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC) },
		MaxPriorPenalty: 30, Confusions: vrm.DefaultConfusions()}}
	for _, c := range []struct{ frames, want, prior string }{
		{"CMA06RRV", "MA06RRV", "band"},
		{"EHW668AH", "", ""}, // two band characters and a cut-off end: dropping does not mend it
		{"KX63PXF", "KX63PXF", ""},
		{"ZZZZZZZZ", "ZZZZZZZZ", ""},
	} {
		got, err := r.readLine(columns(classesOf(c.frames), 0), true)
		if err != nil {
			t.Fatal(err)
		}
		if c.frames == "EHW668AH" {
			if got.Prior == "band" {
				t.Errorf("%s: read %q by dropping band characters; the rest is no valid mark", c.frames, got.Text)
			}
			continue
		}
		if got.Text != c.want || got.Prior != c.prior {
			t.Errorf("%s: read %q (prior %q), want %q (prior %q)", c.frames, got.Text, got.Prior, c.want, c.prior)
		}
	}
}

// In a frame a read no longer than a UK mark is not cut at the band: there
// it is more likely a plate the detector outlined short of its end
// (XR24XRL as XR24XR) than a mark behind a band, and cutting it made a
// valid mark of another plate (24XR). A longer read still is; a patch's
// read is cut as before.
func TestFrameReadsKeepTheirLeadingCharacters(t *testing.T) {
	r := &Reader{lines: true, opts: Options{Now: func() time.Time { return time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC) },
		MaxPriorPenalty: 30, Confusions: vrm.DefaultConfusions()}}
	for _, c := range []struct {
		frames      string
		patch       bool
		want, prior string
	}{
		{"XR24XR", false, "XR24XR", ""},
		{"XR24XR", true, "24XR", "band"},
		{"CMA06RRV", false, "MA06RRV", "band"},
	} {
		got, err := r.readLine(columns(classesOf(c.frames), 0), c.patch)
		if err != nil {
			t.Fatal(err)
		}
		if got.Text != c.want || got.Prior != c.prior {
			t.Errorf("%s (patch %v): read %q (prior %q), want %q (prior %q)", c.frames, c.patch, got.Text, got.Prior, c.want, c.prior)
		}
	}
}
