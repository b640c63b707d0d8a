package display

import "time"

// Timeline decides, frame by frame, what the screen shows: each item for
// the plan's Show, then blank for its Gap, the next item only once its
// picture is ready. It is driven by the time each frame is drawn, so the
// times it records are when items were actually on the screen, and a
// picture rendered late delays the show rather than shortening an item.
type Timeline struct {
	show, gap time.Duration
	count     int
	on        int       // the item on screen; -1 for none
	next      int       // the next item to show
	since     time.Time // when the item on screen went on, or the screen last went blank
	begun     bool
	stopped   bool
}

// Span is when one item was on the screen: from the first frame drawn
// with it to the first drawn without it.
type Span struct {
	Seq     int
	On, Off time.Time
}

// Step is what one frame shows.
type Step struct {
	Show  int   // the item to draw; -1: a blank screen
	Ended *Span // the item taken off the screen at this frame, if any
	Done  bool  // the show is over (the last item's gap has passed, or it was stopped)
}

// NewTimeline times count items, each shown for show with gap between.
func NewTimeline(count int, show, gap time.Duration) *Timeline {
	return &Timeline{show: show, gap: gap, count: count, on: -1}
}

// Step advances to the frame drawn at now. ready reports whether item i
// can be drawn; it is asked only about the next item, when it is due.
func (t *Timeline) Step(now time.Time, ready func(i int) bool) Step {
	if t.stopped {
		return Step{Show: -1, Done: true}
	}
	var ended *Span
	if t.on >= 0 && now.Sub(t.since) >= t.show {
		ended = &Span{Seq: t.on, On: t.since, Off: now}
		t.on, t.since = -1, now
		t.next++
	}
	if t.on < 0 && t.next < t.count && (!t.begun || now.Sub(t.since) >= t.gap) && ready(t.next) {
		t.on, t.since, t.begun = t.next, now, true
	}
	done := t.on < 0 && t.next >= t.count && (!t.begun || now.Sub(t.since) >= t.gap)
	return Step{Show: t.on, Ended: ended, Done: done}
}

// Stop ends the show at now (the viewer pressed Esc, or a screenshot was
// taken): the item on screen, if any, is taken off, and its span returned.
func (t *Timeline) Stop(now time.Time) *Span {
	t.stopped = true
	if t.on < 0 {
		return nil
	}
	s := &Span{Seq: t.on, On: t.since, Off: now}
	t.on = -1
	return s
}
