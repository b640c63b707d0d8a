// Package jetstream is the bus.Bus for an engine spread over machines: NATS
// JetStream, whose streams are kept on disk (and replicated, in a
// cluster), so a read published is not lost when a process or the server
// restarts.
//
// Each bus stream is a JetStream stream named PREFIX_NAME (ANPR_READS)
// taking the subjects prefix.name and prefix.name.> (anpr.reads.CAM-0042),
// made or updated when the bus opens. Streams keep messages by age
// ([Stream.MaxAge]) and size, and refuse new ones when full (discard new)
// rather than drop old ones nobody has consumed: a publisher told no keeps
// its reads (an edge spools them) and tries again. Duplicates are dropped
// by the server on the Nats-Msg-Id header within [Options.Duplicates].
//
// A bus durable consumer is a JetStream durable pull consumer with
// explicit acknowledgement: Consume fetches up to a batch, hands it to
// the handler, and acknowledges each message when the handler returns
// nil, or asks for it again after the retry delay when it fails. A
// consumer that dies holding a batch has it delivered again to another
// after AckWait. Consume asks for no more than it will hand out, so a
// consumer that stops leaves nothing waiting for AckWait to pass.
// Acknowledgements are not confirmed one by one (that would cost a round
// trip a message): those a server had not yet written when it was killed
// (not stopped) are lost with it, and their messages come again.
//
// [Bus.PublishBatch] publishes asynchronously, up to
// [Options.PublishWindow] messages in flight, and waits for the server's
// acknowledgement of each, so that a batch costs about one round trip
// rather than one a message; each message keeps its ID for
// de-duplication.
//
// Files ([Bus.PutFile], [Bus.WatchFiles]) are kept in a JetStream object
// store, PREFIX_FILES, in chunks, each checked against its digest when
// read.
//
// What the server acknowledges is written to its files, which it syncs
// to disk every two minutes unless told to sync every write (from
// nats-server 2.10, jetstream { sync_interval: always }): a server
// process killed loses nothing, a machine losing power may lose the last
// moments. In a cluster (Stream.Replicas 3) a message is acknowledged once
// a majority of servers hold it, which covers one machine's loss.
package jetstream

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"anpr/engine/bus"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Options configures a Bus. The zero value is the default.
type Options struct {
	// Prefix starts every subject and stream name, so that deployments
	// (or tests) can share a server; "": "anpr". Letters, digits, - and _.
	Prefix string
	// Streams are made, or updated to these settings, on Open. nil:
	// bus.Reads and bus.Alerts with the defaults; empty: none touched (a
	// process that only publishes files must not reset the streams).
	Streams []Stream
	// FilesReplicas is how many copies a cluster keeps of the files
	// (hotlists) object store; 0: as many as the most replicated stream.
	FilesReplicas int
	Duplicates    time.Duration // the de-duplication window; 0: 2 minutes
	Name          string        // the connection's name, as the server shows it; "": "anpr"
	// PublishWindow is how many messages one PublishBatch call keeps in
	// flight, sent and not yet acknowledged by the server; 0: 512.
	PublishWindow int
	// PublishTimeout is how long PublishBatch waits for the server to
	// acknowledge a message before counting it failed; 0: 5 s.
	PublishTimeout time.Duration
}

// Stream configures one stream.
type Stream struct {
	Name     string        // the bus's name for it: bus.Reads, bus.Alerts
	MaxAge   time.Duration // how long a message is kept, consumed or not; 0: 7 days
	MaxBytes int64         // the most the stream holds; 0: no limit but the server's
	Replicas int           // copies kept in a cluster; 0: 1
}

const (
	defaultPrefix     = "anpr"
	defaultMaxAge     = 7 * 24 * time.Hour
	defaultDuplicates = 2 * time.Minute
	defaultWindow     = 512
	defaultPubTimeout = 5 * time.Second
	// maxInFlight bounds the asynchronous publishes of all PublishBatch
	// calls of a bus together; past it a publish stalls, and fails if it
	// stalls long. Each call keeps to its window, so this is only reached
	// by many calls at once.
	maxInFlight = 1 << 16
	// pollWait bounds each fetch's wait for messages, and so how long
	// Consume takes to notice its context ended while idle.
	pollWait = 500 * time.Millisecond
	// retryWait is how long Consume waits after the server failed a fetch
	// (it restarting, say) before it tries again.
	retryWait = time.Second
)

// Bus is a bus on a NATS JetStream server or cluster.
type Bus struct {
	nc     *nats.Conn
	js     jetstream.JetStream
	opts   Options
	closed chan struct{}
	once   sync.Once

	filesMu sync.Mutex
	objects jetstream.ObjectStore // made by the first use of files
}

var _ bus.Bus = (*Bus)(nil)

// Open connects to the NATS servers url names (comma-separated, e.g.
// "nats://nats1:4222,nats://nats2:4222") and makes or updates the streams.
// Once open, the connection is kept up for as long as the bus is: calls
// made while the server is unreachable fail, and work again when it
// returns.
func Open(ctx context.Context, url string, opts Options) (*Bus, error) {
	if opts.Prefix == "" {
		opts.Prefix = defaultPrefix
	}
	if err := bus.CheckName("prefix", opts.Prefix); err != nil {
		return nil, fmt.Errorf("open jetstream bus: %w", err)
	}
	if opts.Streams == nil {
		opts.Streams = []Stream{{Name: bus.Reads}, {Name: bus.Alerts}}
	}
	if opts.Duplicates <= 0 {
		opts.Duplicates = defaultDuplicates
	}
	if opts.Name == "" {
		opts.Name = "anpr"
	}
	if opts.PublishWindow <= 0 {
		opts.PublishWindow = defaultWindow
	}
	if opts.PublishTimeout <= 0 {
		opts.PublishTimeout = defaultPubTimeout
	}
	nc, err := nats.Connect(url,
		nats.Name(opts.Name),
		nats.MaxReconnects(-1), // never give up on the server
		nats.ReconnectWait(time.Second),
		// Publish waits for the server's acknowledgement, so nothing need
		// be buffered for a reconnect; a publish while disconnected fails
		// at once and the caller keeps the message.
		nats.ReconnectBufSize(-1),
	)
	if err != nil {
		return nil, fmt.Errorf("open jetstream bus %s: %w", url, err)
	}
	js, err := jetstream.New(nc,
		jetstream.WithPublishAsyncMaxPending(maxInFlight),
		jetstream.WithPublishAsyncTimeout(opts.PublishTimeout))
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("open jetstream bus %s: %w", url, err)
	}
	b := &Bus{nc: nc, js: js, opts: opts, closed: make(chan struct{})}
	for _, s := range opts.Streams {
		if err := b.makeStream(ctx, s); err != nil {
			nc.Close()
			return nil, fmt.Errorf("open jetstream bus %s: %w", url, err)
		}
	}
	return b, nil
}

func (b *Bus) makeStream(ctx context.Context, s Stream) error {
	if err := bus.CheckName("stream", s.Name); err != nil {
		return err
	}
	if s.MaxAge <= 0 {
		s.MaxAge = defaultMaxAge
	}
	if s.MaxBytes <= 0 {
		s.MaxBytes = -1
	}
	if s.Replicas <= 0 {
		s.Replicas = 1
	}
	subject := b.opts.Prefix + "." + s.Name
	_, err := b.js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:       b.streamName(s.Name),
		Subjects:   []string{subject, subject + ".>"},
		Retention:  jetstream.LimitsPolicy,
		Discard:    jetstream.DiscardNew,
		MaxAge:     s.MaxAge,
		MaxBytes:   s.MaxBytes,
		Storage:    jetstream.FileStorage,
		Replicas:   s.Replicas,
		Duplicates: b.opts.Duplicates,
	})
	if err != nil {
		return fmt.Errorf("make stream %s: %w", b.streamName(s.Name), err)
	}
	return nil
}

// streamName is the JetStream name of a bus stream: ANPR_READS.
func (b *Bus) streamName(stream string) string {
	return strings.ToUpper(b.opts.Prefix + "_" + stream)
}

func (b *Bus) hasStream(stream string) bool {
	for _, s := range b.opts.Streams {
		if s.Name == stream {
			return true
		}
	}
	return false
}

// Connected says whether the connection to the NATS servers is up now.
func (b *Bus) Connected() bool { return b.nc.IsConnected() }

// Close closes the connection; Consume calls return ErrClosed.
func (b *Bus) Close() error {
	b.once.Do(func() {
		close(b.closed)
		b.nc.Close()
	})
	return nil
}

func (b *Bus) isClosed() bool {
	select {
	case <-b.closed:
		return true
	default:
		return false
	}
}

// Publish puts a message on a stream and waits for the server to store
// it; see bus.Bus. Where the stream is full, the server says so at once,
// and Publish returns that error rather than wait.
func (b *Bus) Publish(ctx context.Context, subject string, data []byte, id string) error {
	stream, err := bus.StreamOf(subject)
	if err == nil {
		err = bus.CheckID(id)
	}
	if err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	if !b.hasStream(stream) {
		return fmt.Errorf("publish %s: %w %q", subject, bus.ErrNoStream, stream)
	}
	if b.isClosed() {
		return fmt.Errorf("publish %s: %w", subject, bus.ErrClosed)
	}
	_, err = b.js.Publish(ctx, b.opts.Prefix+"."+subject, data,
		jetstream.WithMsgID(id), jetstream.WithExpectStream(b.streamName(stream)))
	if err != nil {
		if b.isClosed() {
			err = errors.Join(bus.ErrClosed, err)
		}
		return fmt.Errorf("publish %s: %w", subject, permanent(err))
	}
	return nil
}

// permanent marks the errors no retry can cure as bus.ErrInvalid, so that
// a spool refuses the message at once rather than keep it, and everything
// queued behind it, for ever: a message over the server's max_payload.
func permanent(err error) error {
	if errors.Is(err, nats.ErrMaxPayload) {
		return fmt.Errorf("%w: the message is larger than the NATS server's max_payload (raise it, or send images by reference): %w", bus.ErrInvalid, err)
	}
	return err
}

var _ bus.BatchPublisher = (*Bus)(nil)

// PublishBatch publishes messages without waiting for each to be
// acknowledged before sending the next, up to Options.PublishWindow in
// flight, and returns when the server has acknowledged or failed each;
// see bus.BatchPublisher. Each message keeps its ID for the server's
// de-duplication, exactly as with Publish. The server takes them in the
// order sent; where it fails some (the connection lost part way), those
// it took stay taken.
func (b *Bus) PublishBatch(ctx context.Context, msgs []bus.Outgoing) error {
	for _, m := range msgs {
		stream, err := bus.StreamOf(m.Subject)
		if err == nil {
			err = bus.CheckID(m.ID)
		}
		if err != nil {
			return fmt.Errorf("publish batch: %w", err)
		}
		if !b.hasStream(stream) {
			return fmt.Errorf("publish batch %s: %w %q", m.Subject, bus.ErrNoStream, stream)
		}
	}
	if b.isClosed() {
		return fmt.Errorf("publish batch: %w", bus.ErrClosed)
	}
	var failed *bus.PublishError
	fail := func(i int, err error) {
		if failed == nil {
			if b.isClosed() {
				err = errors.Join(bus.ErrClosed, err)
			}
			failed = &bus.PublishError{Err: fmt.Errorf("publish %s: %w", msgs[i].Subject, permanent(err))}
		}
		failed.Failed = append(failed.Failed, i)
	}
	futures := make([]jetstream.PubAckFuture, len(msgs))
	// await waits for message i's acknowledgement. Acknowledgements come
	// in the order sent, so waiting for the oldest first costs nothing.
	await := func(i int) {
		if futures[i] == nil {
			return
		}
		select {
		case <-futures[i].Ok():
		case err := <-futures[i].Err():
			fail(i, err)
		case <-ctx.Done():
			fail(i, ctx.Err())
		}
	}
	oldest := 0
	for i, m := range msgs {
		for ; i-oldest >= b.opts.PublishWindow; oldest++ {
			await(oldest)
		}
		if ctx.Err() != nil {
			fail(i, ctx.Err())
			continue
		}
		stream, _ := bus.StreamOf(m.Subject)
		f, err := b.js.PublishAsync(b.opts.Prefix+"."+m.Subject, m.Data,
			jetstream.WithMsgID(m.ID), jetstream.WithExpectStream(b.streamName(stream)))
		if err != nil {
			fail(i, err)
			continue
		}
		futures[i] = f
	}
	for ; oldest < len(msgs); oldest++ {
		await(oldest)
	}
	if failed != nil {
		slices.Sort(failed.Failed) // a failure to send comes before older ones' acknowledgements
		return failed
	}
	return nil
}

// Consume hands out a stream's messages as a durable consumer; see
// bus.Bus. While the server is unreachable it waits and tries again; it
// returns only when ctx ends, the bus closes, or the server refuses the
// consumer (its stream gone).
func (b *Bus) Consume(ctx context.Context, c bus.Consumer, handle bus.Handler) error {
	c, err := c.WithDefaults()
	if err != nil {
		return fmt.Errorf("consume: %w", err)
	}
	if !b.hasStream(c.Stream) {
		return fmt.Errorf("consume %s as %s: %w %q", c.Stream, c.Durable, bus.ErrNoStream, c.Stream)
	}
	where := fmt.Sprintf("consume %s as %s", c.Stream, c.Durable)
	var cons jetstream.Consumer
	for {
		if b.isClosed() {
			return fmt.Errorf("%s: %w", where, bus.ErrClosed)
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
		if cons == nil {
			cons, err = b.js.CreateOrUpdateConsumer(ctx, b.streamName(c.Stream), jetstream.ConsumerConfig{
				Durable:       c.Durable,
				AckPolicy:     jetstream.AckExplicitPolicy,
				AckWait:       c.AckWait,
				DeliverPolicy: jetstream.DeliverAllPolicy,
				MaxDeliver:    -1, // a read is never given up on
				// Room for several Consume calls' batches at once, so
				// that a busy writer is not held to one in flight.
				MaxAckPending: max(10000, 4*c.MaxBatch),
			})
			if errors.Is(err, jetstream.ErrStreamNotFound) {
				return fmt.Errorf("%s: %w", where, err)
			}
			if err != nil {
				cons = nil
				b.pause(ctx, retryWait)
				continue
			}
		}
		batch, err := cons.Fetch(c.MaxBatch, jetstream.FetchMaxWait(pollWait))
		if err != nil {
			if errors.Is(err, jetstream.ErrConsumerNotFound) {
				cons = nil // deleted, or the server lost it: make it again
			}
			b.pause(ctx, retryWait)
			continue
		}
		b.handleFetch(ctx, c, batch, handle)
		if err := batch.Error(); err != nil && !errors.Is(err, nats.ErrTimeout) && !errors.Is(err, jetstream.ErrNoMessages) {
			if errors.Is(err, jetstream.ErrConsumerDeleted) || errors.Is(err, jetstream.ErrConsumerNotFound) {
				cons = nil
			}
			b.pause(ctx, retryWait)
		}
	}
}

// handleFetch hands the messages of one fetch to handle as they come, a
// batch at a time: one fetch asks for MaxBatch, but while the stream is
// quiet they come one by one, and a batch waits only MaxWait for more.
func (b *Bus) handleFetch(ctx context.Context, c bus.Consumer, batch jetstream.MessageBatch, handle bus.Handler) {
	var pending []jetstream.Msg
	var fill <-chan time.Time
	msgs := batch.Messages()
	for {
		select {
		case m, ok := <-msgs:
			if !ok {
				b.handle(ctx, c, pending, handle)
				return
			}
			pending = append(pending, m)
			if len(pending) < c.MaxBatch {
				if len(pending) == 1 {
					fill = time.After(c.MaxWait)
				}
				continue
			}
		case <-fill:
		}
		b.handle(ctx, c, pending, handle)
		pending, fill = nil, nil
	}
}

// handle gives a batch to the handler and acknowledges each message, or
// asks for each again after the retry delay. A batch that comes once ctx
// has ended goes back at once, unhandled.
func (b *Bus) handle(ctx context.Context, c bus.Consumer, batch []jetstream.Msg, handle bus.Handler) {
	if len(batch) == 0 {
		return
	}
	if ctx.Err() != nil {
		for _, m := range batch {
			m.Nak()
		}
		return
	}
	msgs := make([]bus.Message, len(batch))
	for i, m := range batch {
		msgs[i] = bus.Message{
			Subject: strings.TrimPrefix(m.Subject(), b.opts.Prefix+"."),
			Data:    m.Data(),
			ID:      m.Headers().Get(jetstream.MsgIDHeader),
		}
		if md, err := m.Metadata(); err == nil {
			msgs[i].Published = md.Timestamp
			msgs[i].Delivery = int(md.NumDelivered)
		}
	}
	if err := handle(ctx, msgs); err != nil {
		delay := c.RetryDelay
		if ctx.Err() != nil {
			delay = 0 // not the messages' fault: to the next consumer at once
		}
		for _, m := range batch {
			m.NakWithDelay(delay)
		}
		return
	}
	// An acknowledgement lost on the way is a redelivery, which handlers
	// take in their stride; waiting for each to be confirmed would cost a
	// round trip a message.
	for _, m := range batch {
		m.Ack()
	}
}

// pause waits d, or less if ctx ends or the bus closes.
func (b *Bus) pause(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	case <-b.closed:
	}
}

// DeleteStreams deletes the bus's streams and its files from the server,
// and all they hold: for tests, and for taking a deployment down.
func (b *Bus) DeleteStreams(ctx context.Context) error {
	var errs []error
	if err := b.js.DeleteObjectStore(ctx, b.filesBucket()); err != nil && !errors.Is(err, jetstream.ErrStreamNotFound) && !errors.Is(err, jetstream.ErrBucketNotFound) {
		errs = append(errs, fmt.Errorf("delete object store %s: %w", b.filesBucket(), err))
	}
	for _, s := range b.opts.Streams {
		if err := b.js.DeleteStream(ctx, b.streamName(s.Name)); err != nil && !errors.Is(err, jetstream.ErrStreamNotFound) {
			errs = append(errs, fmt.Errorf("delete stream %s: %w", b.streamName(s.Name), err))
		}
	}
	return errors.Join(errs...)
}
