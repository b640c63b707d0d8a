package alert

import "sync"

// Types of Event.
const (
	EventRaised    = "raised"    // a new alert
	EventUpdated   = "updated"   // acknowledged, decided, or its outcome recorded
	EventEscalated = "escalated" // left new too long
)

// Event is a change to an alert, as pushed live to subscribers: the alert
// as it stands after the change. Subscribers share it, so they must not
// change what its pointers point to.
type Event struct {
	Type  string `json:"type"`
	Alert Alert  `json:"alert"`
}

// fanout sends events to every subscriber without ever waiting for one: a
// subscriber whose buffer is full is cut off, its channel closed, and must
// subscribe again and fetch what it missed (Service.Alerts).
type fanout struct {
	buffer int

	mu   sync.Mutex
	subs map[chan Event]struct{}
}

func (f *fanout) subscribe() (<-chan Event, func()) {
	ch := make(chan Event, f.buffer)
	f.mu.Lock()
	if f.subs == nil {
		f.subs = map[chan Event]struct{}{}
	}
	f.subs[ch] = struct{}{}
	f.mu.Unlock()
	return ch, func() { f.drop(ch) }
}

// drop closes ch and forgets it, once.
func (f *fanout) drop(ch chan Event) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.dropLocked(ch)
}

func (f *fanout) dropLocked(ch chan Event) {
	if _, ok := f.subs[ch]; ok {
		delete(f.subs, ch)
		close(ch)
	}
}

// publish sends the events, in order, to every subscriber, and cuts off
// each one that has no room for the next. It returns how many it cut off.
func (f *fanout) publish(events ...Event) (cut int) {
	f.mu.Lock()
	defer f.mu.Unlock()
subscribers:
	for ch := range f.subs {
		for _, e := range events {
			select {
			case ch <- e:
			default:
				f.dropLocked(ch) // deleting while ranging over a map is allowed
				cut++
				continue subscribers
			}
		}
	}
	return cut
}

// len is the number of subscribers.
func (f *fanout) len() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.subs)
}
