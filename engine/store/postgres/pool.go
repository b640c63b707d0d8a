package postgres

import (
	"context"
	"errors"
	"sync"

	"github.com/jackc/pgx/v5"
)

// pool is a bounded set of connections to one database. It is here rather
// than pgxpool because pgxpool brings a module (puddle) the project does not
// carry; this is all the store needs of one: at most size connections, each
// set up once when it is made, and a broken one never handed out again.
type pool struct {
	config *pgx.ConnConfig
	setup  func(context.Context, *pgx.Conn) error // run on each new connection

	slots chan struct{}  // a token for each connection that may exist
	idle  chan *pgx.Conn // connections not in use

	mu     sync.Mutex
	closed bool
}

var errPoolClosed = errors.New("store is closed")

func newPool(config *pgx.ConnConfig, size int, setup func(context.Context, *pgx.Conn) error) *pool {
	p := &pool{
		config: config,
		setup:  setup,
		slots:  make(chan struct{}, size),
		idle:   make(chan *pgx.Conn, size),
	}
	for range size {
		p.slots <- struct{}{}
	}
	return p
}

// acquire returns a connection for the caller's sole use until release,
// waiting for one to come free if all are in use.
func (p *pool) acquire(ctx context.Context) (*pgx.Conn, error) {
	if p.isClosed() {
		return nil, errPoolClosed
	}
	select {
	case <-p.slots:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if p.isClosed() {
		p.slots <- struct{}{}
		return nil, errPoolClosed
	}
	for {
		select {
		case c := <-p.idle:
			if c.IsClosed() {
				continue
			}
			return c, nil
		default:
		}
		break
	}
	c, err := pgx.ConnectConfig(ctx, p.config)
	if err == nil && p.setup != nil {
		if err = p.setup(ctx, c); err != nil {
			c.Close(context.WithoutCancel(ctx))
		}
	}
	if err != nil {
		p.slots <- struct{}{}
		return nil, err
	}
	return c, nil
}

// release gives back a connection from acquire. One that broke, or that
// was left inside a transaction, is closed rather than kept: the next user
// must not inherit its state.
func (p *pool) release(c *pgx.Conn) {
	defer func() { p.slots <- struct{}{} }()
	if c.IsClosed() || c.PgConn().TxStatus() != 'I' || p.isClosed() {
		c.Close(context.Background())
		return
	}
	p.idle <- c
}

func (p *pool) isClosed() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.closed
}

// close closes the idle connections and makes every later acquire fail.
// It waits for connections in use to be released (and closes them then).
func (p *pool) close() error {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	var errs []error
	for range cap(p.slots) {
		<-p.slots
	}
	for done := false; !done; {
		select {
		case c := <-p.idle:
			errs = append(errs, c.Close(context.Background()))
		default:
			done = true
		}
	}
	// Hand the tokens back so that a late acquire finds the pool closed
	// rather than waiting for a token forever.
	for range cap(p.slots) {
		p.slots <- struct{}{}
	}
	return errors.Join(errs...)
}

// with runs f on a connection from the pool.
func (p *pool) with(ctx context.Context, f func(*pgx.Conn) error) error {
	c, err := p.acquire(ctx)
	if err != nil {
		return err
	}
	defer p.release(c)
	return f(c)
}
