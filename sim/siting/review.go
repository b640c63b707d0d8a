package siting

import (
	"fmt"
	"slices"
	"strings"

	"anpr/engine/alert"
	"anpr/engine/camera"
)

// SiteReview is what one existing site did over a review period, from the
// engine's own records: the evidence for whether it continues to earn its
// place, beside the simulated measures of Evaluate.
type SiteReview struct {
	ID       string `json:"id"`
	District string `json:"district"`
	Active   bool   `json:"active"`

	Reads         int64    `json:"reads"`
	ReadsPerDay   float64  `json:"reads_per_day"`
	Alerts        int      `json:"alerts"`
	AlertsPer10k  float64  `json:"alerts_per_10k_reads"`
	Decided       int      `json:"decided"`
	Deployed      int      `json:"deployed"`
	Misread       int      `json:"misread"`
	NotVehicle    int      `json:"not_vehicle"`
	NoAction      int      `json:"no_action"`
	Escalated     int      `json:"escalated"` // left unacknowledged too long
	Stopped       int      `json:"stopped"`
	Arrests       int      `json:"arrests"`
	MisreadShare  float64  `json:"misread_share"`  // of decided alerts
	DeployedShare float64  `json:"deployed_share"` // of decided alerts
	Findings      []string `json:"findings"`       // what a reviewer should look at, if anything
}

// ReviewThresholds are where a site's figures become a finding.
type ReviewThresholds struct {
	MinAlerts   int     // fewer alerts than this over the period: is the site still needed?
	MaxMisread  float64 // a higher share of misreads: check the camera's set-up
	MinReadsDay float64 // fewer reads a day than this for an active camera: is it working?
}

// DefaultReviewThresholds are a starting point for a force's own.
func DefaultReviewThresholds() ReviewThresholds {
	return ReviewThresholds{MinAlerts: 1, MaxMisread: 0.5, MinReadsDay: 10}
}

// Review sets each camera's reads and alert outcomes over a period of days
// against thresholds. reads is the count of reads per camera; stats the
// alert statistics of the same period. Cameras come in id order; a camera
// with reads or alerts but no longer in the register is reviewed too, with
// no district.
func Review(cams []camera.Camera, reads map[string]int64, stats alert.Stats, days float64, th ReviewThresholds) ([]SiteReview, error) {
	if days <= 0 {
		return nil, fmt.Errorf("review period of %v days: must be positive", days)
	}
	byCam := map[string]alert.Count{}
	for _, c := range stats.ByCamera {
		byCam[c.Key] = c
	}
	ids := map[string]*SiteReview{}
	for _, c := range cams {
		ids[c.ID] = &SiteReview{ID: c.ID, District: c.District, Active: c.Active}
	}
	for id := range reads {
		if ids[id] == nil {
			ids[id] = &SiteReview{ID: id}
		}
	}
	for id := range byCam {
		if ids[id] == nil {
			ids[id] = &SiteReview{ID: id}
		}
	}
	out := make([]SiteReview, 0, len(ids))
	for id, r := range ids {
		c := byCam[id]
		r.Reads, r.ReadsPerDay = reads[id], float64(reads[id])/days
		r.Alerts, r.Decided, r.Deployed, r.Misread = c.Alerts, c.Decided, c.Deployed, c.Misread
		r.NotVehicle, r.NoAction, r.Escalated, r.Stopped, r.Arrests = c.NotVehicle, c.NoAction, c.Escalated, c.Stopped, c.Arrest
		if r.Reads > 0 {
			r.AlertsPer10k = 1e4 * float64(r.Alerts) / float64(r.Reads)
		}
		if r.Decided > 0 {
			r.MisreadShare = float64(r.Misread) / float64(r.Decided)
			r.DeployedShare = float64(r.Deployed) / float64(r.Decided)
		}
		r.Findings = findings(r, th)
		out = append(out, *r)
	}
	slices.SortFunc(out, func(a, b SiteReview) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

func findings(r *SiteReview, th ReviewThresholds) []string {
	f := []string{}
	switch {
	case r.District == "":
		f = append(f, "not in the camera register: reads or alerts from a camera since removed")
	case !r.Active && r.Reads > 0:
		f = append(f, "out of service in the register, yet it has reads in the period")
	case r.Active && r.ReadsPerDay < th.MinReadsDay:
		f = append(f, fmt.Sprintf("%.1f reads a day: is the camera working?", r.ReadsPerDay))
	}
	if r.Active && r.Alerts < th.MinAlerts {
		f = append(f, fmt.Sprintf("%d alerts in the period: review whether the site is still necessary", r.Alerts))
	}
	if r.Decided > 0 && r.MisreadShare > th.MaxMisread {
		f = append(f, fmt.Sprintf("%.0f%% of decided alerts were misreads: check the camera's set-up", 100*r.MisreadShare))
	}
	return f
}
