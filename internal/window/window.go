// Package window runs an ebiten program's window (the planner,
// anpr-display) until it ends, and says why it ended.
package window

import (
	"errors"

	"github.com/hajimehoshi/ebiten/v2"
)

// Run runs game until its window is closed or it ends itself. A game ends
// itself by returning ebiten.Termination from Update, which is no failure;
// what it failed at, if anything, failed says afterwards.
func Run(game ebiten.Game, failed func() error) error {
	err := ebiten.RunGame(game)
	if errors.Is(err, ebiten.Termination) {
		err = nil
	}
	if err == nil {
		err = failed()
	}
	return err
}
