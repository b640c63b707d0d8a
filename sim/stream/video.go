package stream

import (
	"fmt"
	"path/filepath"
	"strings"

	"gocv.io/x/gocv"
)

// VideoFile is a virtual camera that records to a video file, for the
// engine to read as it reads a recorded feed (anpr watch --source FILE).
// The codec follows the name: .avi is Motion JPEG, which OpenCV writes
// without any other library; .mp4 is MPEG-4 part 2 through OpenCV's FFmpeg
// backend.
type VideoFile struct {
	path   string
	w      *gocv.VideoWriter
	width  int
	height int
	frames int
}

// CreateVideoFile starts a video file of width x height frames at fps.
func CreateVideoFile(path string, fps float64, width, height int) (*VideoFile, error) {
	var codec string
	switch strings.ToLower(filepath.Ext(path)) {
	case ".avi":
		codec = "MJPG"
	case ".mp4":
		codec = "mp4v"
	default:
		return nil, fmt.Errorf("video file %s: want a .avi (Motion JPEG) or .mp4 (MPEG-4) name", path)
	}
	w, err := gocv.VideoWriterFile(path, codec, fps, width, height, true)
	if err != nil {
		return nil, fmt.Errorf("video file %s: %w", path, err)
	}
	if !w.IsOpened() {
		w.Close()
		return nil, fmt.Errorf("video file %s: OpenCV cannot write %s video here", path, codec)
	}
	return &VideoFile{path: path, w: w, width: width, height: height}, nil
}

// Show appends a frame, which must be the file's size and in colour (BGR).
func (v *VideoFile) Show(frame gocv.Mat) error {
	if frame.Cols() != v.width || frame.Rows() != v.height || frame.Channels() != 3 {
		return fmt.Errorf("video file %s: frame %dx%d with %d channels, want %dx%d BGR",
			v.path, frame.Cols(), frame.Rows(), frame.Channels(), v.width, v.height)
	}
	if err := v.w.Write(frame); err != nil {
		return fmt.Errorf("video file %s: frame %d: %w", v.path, v.frames, err)
	}
	v.frames++
	return nil
}

// Frames is how many frames have been written.
func (v *VideoFile) Frames() int { return v.frames }

// Close finishes the file.
func (v *VideoFile) Close() error { return v.w.Close() }
