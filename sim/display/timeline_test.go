package display

import (
	"testing"
	"time"
)

// Frames at 10 ms: each item 50 ms on, 20 ms blank, the last blank gap
// ending the show; an item whose picture is late goes on when it is
// ready and is shown for the whole of its time.
func TestTimeline(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	tl := NewTimeline(3, 50*time.Millisecond, 20*time.Millisecond)
	late := t0.Add(150 * time.Millisecond) // item 2 is not ready before this
	var spans []Span
	var doneAt time.Time
	shown := map[int]int{}
	for f := 0; f < 100; f++ {
		now := t0.Add(time.Duration(f) * 10 * time.Millisecond)
		st := tl.Step(now, func(i int) bool { return i != 2 || !now.Before(late) })
		if st.Ended != nil {
			spans = append(spans, *st.Ended)
		}
		shown[st.Show]++
		if st.Done {
			doneAt = now
			break
		}
	}
	ms := func(d time.Duration) time.Time { return t0.Add(d * time.Millisecond) }
	want := []Span{{0, ms(0), ms(50)}, {1, ms(70), ms(120)}, {2, ms(150), ms(200)}}
	if len(spans) != len(want) {
		t.Fatalf("spans %v, want %v", spans, want)
	}
	for i := range want {
		if spans[i] != want[i] {
			t.Errorf("span %d: %v to %v, want %v to %v", i, spans[i].On.Sub(t0), spans[i].Off.Sub(t0), want[i].On.Sub(t0), want[i].Off.Sub(t0))
		}
	}
	if !doneAt.Equal(ms(220)) {
		t.Errorf("done at %v, want 220ms (after the last gap)", doneAt.Sub(t0))
	}
	if shown[0] != 5 || shown[1] != 5 || shown[2] != 5 {
		t.Errorf("frames per item %v, want 5 each", shown)
	}
}

// Stopping takes the item on screen off at once.
func TestTimelineStop(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	tl := NewTimeline(5, time.Second, time.Second)
	tl.Step(t0, func(int) bool { return true })
	s := tl.Stop(t0.Add(300 * time.Millisecond))
	if s == nil || s.Seq != 0 || s.Off.Sub(s.On) != 300*time.Millisecond {
		t.Fatalf("stop: %+v", s)
	}
	if st := tl.Step(t0.Add(time.Second), func(int) bool { return true }); !st.Done || st.Show != -1 {
		t.Errorf("after stop: %+v", st)
	}
	if tl2 := NewTimeline(0, time.Second, 0); !tl2.Step(t0, nil).Done {
		t.Error("an empty show is not done at once")
	}
}
