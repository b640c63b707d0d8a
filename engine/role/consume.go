package role

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"anpr/engine/bus"
)

// ConsumerConfig is how a matcher or a writer takes its reads off the bus.
// The zero value is the default for the role.
type ConsumerConfig struct {
	// Durable names the durable consumer; processes of one role share a
	// name to share the reads. "": the role's name, "matcher" or "writer".
	Durable string
	// Workers is how many batches the process handles at once, each on a
	// consumer of its own; 0: 2.
	Workers int
	// MaxBatch is the most reads in a batch; 0: the role's default.
	MaxBatch int
	// MaxWait is how long a batch waits after its first read for more;
	// 0: the role's default.
	MaxWait time.Duration
	// AckWait is how long a batch may be out before the bus takes its
	// process for dead and hands the batch to another; 0: 30 s.
	AckWait time.Duration
	// Grace is how long a batch in hand when Run's context ends may take
	// to finish (and be acknowledged); past it, it is abandoned and goes
	// to another process. 0: 10 s; negative: none, abandon at once.
	Grace time.Duration
}

const (
	defaultWorkers = 2
	defaultGrace   = 10 * time.Second
)

func (c ConsumerConfig) withDefaults(durable string, maxBatch int, maxWait time.Duration) (ConsumerConfig, error) {
	if c.Durable == "" {
		c.Durable = durable
	}
	if c.Workers == 0 {
		c.Workers = defaultWorkers
	}
	if c.MaxBatch == 0 {
		c.MaxBatch = maxBatch
	}
	if c.MaxWait == 0 {
		c.MaxWait = maxWait
	}
	if c.Grace == 0 {
		c.Grace = defaultGrace
	}
	if c.Workers < 0 || c.MaxBatch < 0 || c.MaxWait < 0 || c.AckWait < 0 {
		return c, fmt.Errorf("consumer %s: a negative number of workers, batch size or wait", c.Durable)
	}
	if _, err := c.busConsumer().WithDefaults(); err != nil {
		return c, err
	}
	return c, nil
}

func (c ConsumerConfig) busConsumer() bus.Consumer {
	return bus.Consumer{Stream: bus.Reads, Durable: c.Durable, MaxBatch: c.MaxBatch, MaxWait: c.MaxWait, AckWait: c.AckWait}
}

// consume runs c.Workers consumers of the reads stream until ctx ends,
// handing each batch to handle. handle gets a context that outlives ctx
// by c.Grace, so that a batch in hand when ctx ends can finish and be
// acknowledged; Consume hands out no batch after ctx ends. consume returns
// nil once every consumer has stopped because ctx ended, or the first
// other error that stopped one (the others are stopped too).
func consume(ctx context.Context, b bus.Bus, c ConsumerConfig, log *slog.Logger, handle bus.Handler) error {
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	work, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWork()
	finished := make(chan struct{})
	defer close(finished)
	go func() {
		select {
		case <-finished:
			return
		case <-ctx.Done():
		}
		if c.Grace > 0 {
			t := time.NewTimer(c.Grace)
			defer t.Stop()
			select {
			case <-finished:
			case <-t.C:
			}
		}
		cancelWork()
	}()
	errs := make(chan error, c.Workers)
	for range c.Workers {
		go func() {
			errs <- b.Consume(ctx, c.busConsumer(), func(_ context.Context, msgs []bus.Message) error {
				if work.Err() != nil {
					return work.Err()
				}
				return handle(work, msgs)
			})
		}()
	}
	var first error
	for range c.Workers {
		err := <-errs
		if ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
			continue
		}
		if first == nil {
			first = err
			log.Error("consumer stopped", "durable", c.Durable, "err", err)
			stop()
		}
	}
	return first
}
