package planner

import (
	"fmt"
	"image"
)

// Layout divides the window: the map on the left, the measures panel on
// the right.
type Layout struct {
	Width, Height int
	Map, Panel    image.Rectangle
	// Margin is the pixels kept clear between the network's extreme nodes
	// and the map's edges.
	Margin float64
}

// Default window and panel sizes, in pixels.
const (
	DefaultWidth      = 1280
	DefaultHeight     = 800
	DefaultPanelWidth = 420
	DefaultMargin     = 24
)

// NewLayout lays out a window width x height with a panel panelWidth wide.
func NewLayout(width, height, panelWidth int) (Layout, error) {
	if width < panelWidth+200 || height < 300 || panelWidth < 0 {
		return Layout{}, fmt.Errorf("layout: a %d x %d window with a %d pixel panel leaves no room for the map", width, height, panelWidth)
	}
	mapW := width - panelWidth
	return Layout{
		Width: width, Height: height,
		Map:    image.Rect(0, 0, mapW, height),
		Panel:  image.Rect(mapW, 0, width, height),
		Margin: DefaultMargin,
	}, nil
}

// DefaultLayout is the planner's window.
func DefaultLayout() Layout {
	l, err := NewLayout(DefaultWidth, DefaultHeight, DefaultPanelWidth)
	if err != nil {
		panic(err) // the defaults fit
	}
	return l
}
