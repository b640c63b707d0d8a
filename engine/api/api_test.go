package api

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"anpr/engine/alert"
	"anpr/engine/audit"
	"anpr/engine/hotlist"
	"anpr/engine/store"
)

// The OpenAPI document describes exactly the routes the server has.
func TestOpenAPICoversEveryRoute(t *testing.T) {
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openAPI, &doc); err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}
	s := &Server{}
	for _, rt := range s.table() {
		key := rt.method + " " + rt.path
		if !documented[key] {
			t.Errorf("route %s is not in openapi.json", key)
		}
		delete(documented, key)
	}
	for key := range documented {
		t.Errorf("openapi.json describes %s, which the server does not have", key)
	}
}

// No route takes, computes or returns a speed: the document names none, and
// a read sent with one is refused, stored nowhere, and the attempt audited.
func TestNoSpeedInTheAPI(t *testing.T) {
	if m := regexp.MustCompile(`(?i)speed|velocity|mph|km/h|kph`).Find(stripDescriptions(t)); m != nil {
		t.Errorf("openapi.json has %q outside its descriptions: the API must offer no speeds", m)
	}
	b := newBackOffice(t)
	body := `{"reads":[{"id":"r1","camera":"cam-1","vrm":"AB12CDE","confidence":0.9,"captured":"2026-11-30T09:00:00Z","speed":47}]}`
	var e errorBody
	c := b.camera()
	if st := c.do("POST", "/api/reads", body, &e); st != http.StatusBadRequest || !strings.Contains(e.Error, "speed") {
		t.Fatalf("read with a speed: status %d, %q; want 400 naming the field", st, e.Error)
	}
	assertNoReads(t, b)
	if es := b.auditEntries(audit.ActionDenied); len(es) == 0 {
		t.Error("the refused read is not in the audit log")
	}
}

// stripDescriptions returns the document's names and values other than
// human descriptions (which say, in words, that there are no speeds).
func stripDescriptions(t *testing.T) []byte {
	var v any
	if err := json.Unmarshal(openAPI, &v); err != nil {
		t.Fatal(err)
	}
	var strip func(any) any
	strip = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if k == "description" || k == "summary" {
					delete(x, k)
					continue
				}
				x[k] = strip(e)
			}
		case []any:
			for i := range x {
				x[i] = strip(x[i])
			}
		}
		return v
	}
	out, _ := json.Marshal(strip(v))
	return out
}

func assertNoReads(t *testing.T, b *backOffice) {
	t.Helper()
	reads, err := b.reads.SearchReads(context.Background(), store.Query{From: time.Unix(0, 0), To: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if len(reads) != 0 {
		t.Errorf("%d reads stored, want none: %+v", len(reads), reads)
	}
}

// A camera's read of a listed vehicle raises an alert that an operator
// sees, opens and decides on; every step is in the audit log, which
// verifies.
func TestReadToAlertToDecision(t *testing.T) {
	b := newBackOffice(t)
	now := time.Now().UTC()
	res, st := b.submit(read("r1", "cam-1", "ab12 cde", now), read("r2", "cam-1", "ZZ99ZZZ", now))
	if st != 200 || res.Added != 2 || len(res.Alerts) != 1 {
		t.Fatalf("submit: status %d, %+v; want 2 added and 1 alert", st, res)
	}
	// Sent again (a camera that lost the reply), nothing new is stored or raised twice.
	again, st := b.submit(read("r1", "cam-1", "ab12 cde", now))
	if st != 200 || again.Added != 0 || again.Duplicates != 1 || len(again.Alerts) != 1 || again.Alerts[0] != res.Alerts[0] {
		t.Fatalf("resubmit: status %d, %+v; want a duplicate and the same alert", st, again)
	}

	op := b.login("olive")
	var list struct{ Alerts []alertView }
	if st := op.do("GET", "/api/alerts", nil, &list); st != 200 || len(list.Alerts) != 1 {
		t.Fatalf("alerts: status %d, %d alerts; want 1", st, len(list.Alerts))
	}
	a := list.Alerts[0]
	if a.Hit == nil || a.Hit.Marker != "stolen" || a.Hit.Action == "" || a.Read.VRM != "AB12CDE" || a.Read.PatchRef == "" {
		t.Fatalf("alert lacks the evidence an operator needs: %+v", a)
	}
	if cam, ok := a.Camera.(map[string]any); !ok || cam["lat"] == nil {
		t.Errorf("operator's alert camera = %v; want the camera with its location", a.Camera)
	}
	if st := op.do("GET", "/api/alerts/"+a.ID+"/images/patch", nil, nil); st != 200 {
		t.Errorf("patch image: status %d", st)
	}
	var decided alertView
	if st := op.do("POST", "/api/alerts/"+a.ID+"/decision", decisionRequest{Kind: alert.Deploy}, &decided); st != http.StatusBadRequest {
		t.Errorf("deploy without a resource: status %d, want 400", st)
	}
	if st := op.do("POST", "/api/alerts/"+a.ID+"/decision", decisionRequest{Kind: alert.Deploy, Resource: "RPU 2"}, &decided); st != 200 ||
		decided.Decision == nil || decided.Decision.By != "olive" {
		t.Fatalf("deploy: status %d, %+v", st, decided.Decision)
	}
	if st := op.do("POST", "/api/alerts/"+a.ID+"/decision", decisionRequest{Kind: alert.NoAction, Reason: "changed my mind"}, nil); st != http.StatusConflict {
		t.Errorf("deciding twice: status %d, want 409", st)
	}
	if st := op.do("POST", "/api/alerts/"+a.ID+"/outcome", outcomeRequest{Kind: alert.Arrest, Note: "driver arrested"}, &decided); st != 200 || decided.Outcome == nil {
		t.Fatalf("outcome: status %d", st)
	}

	decisions := b.auditEntries(audit.ActionAlertDecision)
	if !slices.ContainsFunc(decisions, func(e audit.Entry) bool {
		return e.Actor == "olive" && e.Target == a.ID && e.Detail["decision"] == "deploy" && e.Detail["resource"] == "RPU 2"
	}) {
		t.Errorf("the deploy decision is not in the audit log: %+v", decisions)
	}
	if views := b.auditEntries(audit.ActionViewImage); len(views) != 1 || views[0].Actor != "olive" {
		t.Errorf("image views audited: %+v; want olive's one", views)
	}
	aud := b.login("audrey")
	var entries struct{ Entries []audit.Entry }
	if st := aud.do("GET", "/api/audit?action=alert-decision&actor=olive", nil, &entries); st != 200 || len(entries.Entries) < 2 {
		t.Fatalf("auditor's query: status %d, %d entries", st, len(entries.Entries))
	}
	var rep audit.Report
	if st := aud.do("GET", "/api/audit/verify", nil, &rep); st != 200 || !rep.OK {
		t.Fatalf("verify: status %d, %+v", st, rep)
	}
}

// Each role reaches its own routes only, and every refusal is audited.
func TestRolesReachOnlyTheirRoutes(t *testing.T) {
	b := newBackOffice(t)
	search := searchRequest{VRM: "AB12CDE", From: time.Now().Add(-24 * time.Hour), Justification: "robbery suspect vehicle", Reference: "CRI/1"}
	for _, tc := range []struct {
		who          string
		method, path string
		body         any
	}{
		{"olive", "POST", "/api/searches", search},                                     // operators never browse reads
		{"olive", "GET", "/api/audit", nil},                                            // nor the audit log
		{"adam", "GET", "/api/alerts", nil},                                            // administrators see no reads, alerts included
		{"adam", "POST", "/api/searches", search},                                      //
		{"audrey", "GET", "/api/alerts", nil},                                          // auditors read the audit log and nothing else
		{"audrey", "POST", "/api/searches", search},                                    //
		{"audrey", "GET", "/api/users", nil},                                           //
		{"ivan", "GET", "/api/audit", nil},                                             // investigators do not read the audit log
		{"ivan", "GET", "/api/alerts", nil},                                            // nor watch alerts
		{"ivan", "POST", "/api/approvals/x/decision", map[string]any{"approve": true}}, // nor approve their own searches
		{"sam", "POST", "/api/searches", search},                                       // authorisers approve, they do not search
		{"token", "GET", "/api/alerts", nil},                                           // a camera's token only submits reads
		{"token", "POST", "/api/searches", search},                                     //
	} {
		var c *client
		if tc.who == "token" {
			c = b.camera()
		} else {
			c = b.login(tc.who)
		}
		before := len(b.auditEntries(audit.ActionDenied))
		if st := c.do(tc.method, tc.path, tc.body, nil); st != http.StatusForbidden {
			t.Errorf("%s %s %s: status %d, want 403", tc.who, tc.method, tc.path, st)
		}
		if after := len(b.auditEntries(audit.ActionDenied)); after != before+1 {
			t.Errorf("%s %s %s: refusal not audited", tc.who, tc.method, tc.path)
		}
	}
	// Nobody signed in gets nothing but the login and public routes.
	anon := b.anonymous()
	for _, p := range []string{"/api/alerts", "/api/audit", "/api/cameras", "/api/me"} {
		if st := anon.do("GET", p, nil, nil); st != http.StatusUnauthorized {
			t.Errorf("anonymous GET %s: status %d, want 401", p, st)
		}
	}
}

// A session's state-changing requests must carry its CSRF token.
func TestCSRFTokenRequired(t *testing.T) {
	b := newBackOffice(t)
	b.submit(read("r1", "cam-1", "AB12CDE", time.Now()))
	op := b.login("olive")
	var list struct{ Alerts []alertView }
	op.do("GET", "/api/alerts", nil, &list)
	op.csrf = ""
	if st := op.do("POST", "/api/alerts/"+list.Alerts[0].ID+"/acknowledge", nil, nil); st != http.StatusForbidden {
		t.Errorf("acknowledge without CSRF token: status %d, want 403", st)
	}
	op.csrf = "forged"
	if st := op.do("POST", "/api/alerts/"+list.Alerts[0].ID+"/acknowledge", nil, nil); st != http.StatusForbidden {
		t.Errorf("acknowledge with a wrong CSRF token: status %d, want 403", st)
	}
}

// Investigators search with a justification and a reference, within 90
// days unless a senior authoriser approved more for a serious crime; each
// search is audited, allowed or not.
func TestSearchNeedsJustificationAndApproval(t *testing.T) {
	b := newBackOffice(t)
	now := time.Now().UTC()
	old := now.Add(-120 * 24 * time.Hour)
	b.submit(read("r-new", "cam-1", "YX11ABC", now.Add(-time.Hour)), read("r-old", "cam-2", "YX11ABC", old))
	inv := b.login("ivan")
	var res searchResponse
	if st := inv.do("POST", "/api/searches", searchRequest{VRM: "YX11ABC", From: now.Add(-24 * time.Hour), Reference: "CRI/26/1"}, nil); st != http.StatusForbidden {
		t.Errorf("search without justification: status %d, want 403", st)
	}
	recent := searchRequest{VRM: "YX11A*", From: now.Add(-30 * 24 * time.Hour), Justification: "vehicle seen leaving a burglary", Reference: "CRI/26/1"}
	if st := inv.do("POST", "/api/searches", recent, &res); st != 200 || len(res.Reads) != 1 || res.Reads[0].ID != "r-new" {
		t.Fatalf("search of 30 days: status %d, %+v", st, res)
	}
	deep := recent
	deep.From = now.Add(-200 * 24 * time.Hour)
	if st := inv.do("POST", "/api/searches", deep, nil); st != http.StatusForbidden {
		t.Errorf("search of 200 days without approval: status %d, want 403", st)
	}
	var ap struct{ ID string }
	if st := inv.do("POST", "/api/approvals", approvalRequest{Reference: "CRI/26/1", CrimeCategory: "robbery",
		Justification: "armed robbery, vehicle used months before", From: deep.From, To: now}, &ap); st != http.StatusCreated {
		t.Fatalf("approval request: status %d", st)
	}
	if st := inv.do("POST", "/api/approvals/"+ap.ID+"/decision", approvalDecision{Approve: true}, nil); st != http.StatusForbidden {
		t.Errorf("investigator approving own request: status %d, want 403", st)
	}
	if st := b.login("sam").do("POST", "/api/approvals/"+ap.ID+"/decision", approvalDecision{Approve: true, Note: "serious, proportionate"}, nil); st != 200 {
		t.Fatalf("authoriser approving: status %d", st)
	}
	deep.CrimeCategory, deep.ApprovalID = "robbery", ap.ID
	if st := inv.do("POST", "/api/searches", deep, &res); st != 200 || len(res.Reads) != 2 {
		t.Fatalf("approved search of 200 days: status %d, %d reads; want 2", st, len(res.Reads))
	}
	searches := b.auditEntries(audit.ActionSearch)
	var allowed, denied int
	for _, e := range searches {
		switch e.Outcome {
		case audit.OutcomeAllowed:
			allowed++
			if e.Detail["justification"] == "" || e.Detail["reference"] != "CRI/26/1" {
				t.Errorf("allowed search audited without its reasons: %+v", e)
			}
		case audit.OutcomeDenied:
			denied++
		}
	}
	if allowed != 2 || denied != 2 {
		t.Errorf("audited searches: %d allowed, %d denied; want 2 and 2", allowed, denied)
	}
}

// Bad input gets a clear error, stores nothing, and is audited.
func TestBadInputIsRefused(t *testing.T) {
	b := newBackOffice(t)
	now := time.Now().UTC()
	for _, tc := range []struct {
		name string
		body any
		want int
	}{
		{"not JSON", "{reads: [", 400},
		{"two values", `{"reads":[]} {"reads":[]}`, 400},
		{"empty batch", submitRequest{}, 400},
		{"unknown camera", submitRequest{Reads: []readSubmission{read("r1", "cam-9", "AB12CDE", now)}}, 400},
		{"camera out of service", submitRequest{Reads: []readSubmission{read("r1", "cam-off", "AB12CDE", now)}}, 400},
		{"SQL in the mark", submitRequest{Reads: []readSubmission{read("r1", "cam-1", "A'; DROP TABLE reads;--", now)}}, 400},
		{"one bad read of two", submitRequest{Reads: []readSubmission{read("r1", "cam-1", "AB12CDE", now), read("", "cam-1", "AB12CDE", now)}}, 400},
		{"patch not a JPEG", submitRequest{Reads: []readSubmission{{ID: "r1", Camera: "cam-1", VRM: "AB12CDE", Confidence: 1, Captured: now, Patch: []byte("GIF89a")}}}, 400},
		{"oversized", strings.Repeat(" ", 33<<20), 413},
	} {
		var e errorBody
		if st := b.camera().do("POST", "/api/reads", tc.body, &e); st != tc.want || (st != 413 && e.Error == "") {
			t.Errorf("%s: status %d (%q), want %d with a reason", tc.name, st, e.Error, tc.want)
		}
	}
	assertNoReads(t, b)
	if n := len(b.auditEntries(audit.ActionDenied)); n < 8 {
		t.Errorf("%d refused submissions audited, want at least 8", n)
	}

	inv := b.login("ivan")
	for _, vrm := range []string{"*", "**??", "%", "A' OR '1'='1"} {
		if st := inv.do("POST", "/api/searches", searchRequest{VRM: vrm, From: now.Add(-time.Hour), Justification: "checking the rules", Reference: "CRI/1"}, nil); st != 400 {
			t.Errorf("search for %q: status %d, want 400", vrm, st)
		}
	}
	for _, ref := range []string{"..%2F..%2Fetc%2Fpasswd", "%2e%2e", strings.Repeat("a", 64) + "%2F..", "ABCDEF"} {
		if st := inv.do("GET", "/api/images/"+ref+"?reference=CRI/1", nil, nil); st != 400 && st != 404 {
			t.Errorf("image %q: status %d, want 400 or 404", ref, st)
		}
	}
}

// A signed-out or expired session opens nothing, and the attempt is
// audited.
func TestEndedSessionIsRefused(t *testing.T) {
	b := newBackOffice(t)
	op := b.login("olive")
	if st := op.do("POST", "/api/logout", nil, nil); st != http.StatusNoContent {
		t.Fatalf("logout: status %d", st)
	}
	before := len(b.auditEntries(audit.ActionDenied))
	if st := op.do("GET", "/api/alerts", nil, nil); st != http.StatusUnauthorized {
		t.Errorf("after logout: status %d, want 401", st)
	}
	if len(b.auditEntries(audit.ActionDenied)) != before+1 {
		t.Error("the refused request is not audited")
	}
}

// Repeated wrong passwords lock the name out for a while.
func TestLoginIsRateLimited(t *testing.T) {
	b := newBackOffice(t)
	c := b.anonymous()
	var last int
	for range 8 {
		last = c.do("POST", "/api/login", loginRequest{Name: "olive", Password: "wrong password guess"}, nil)
	}
	if last != http.StatusTooManyRequests {
		t.Errorf("eighth wrong password: status %d, want 429", last)
	}
	if n := len(b.auditEntries(audit.ActionLoginFailed)); n != 8 {
		t.Errorf("%d failed logins audited, want 8", n)
	}
}

// Camera locations go only to roles that need them; the public sees
// districts.
func TestCameraLocationsAreRestricted(t *testing.T) {
	b := newBackOffice(t)
	var cams struct{ Cameras []map[string]any }
	b.login("audrey").do("GET", "/api/cameras", nil, &cams)
	for _, c := range cams.Cameras {
		if c["lat"] != nil || c["name"] != nil {
			t.Errorf("auditor sees a camera's place: %v", c)
		}
	}
	b.login("adam").do("GET", "/api/cameras", nil, &cams)
	if len(cams.Cameras) != 3 || cams.Cameras[0]["lat"] == nil {
		t.Errorf("administrator's cameras: %v", cams.Cameras)
	}
	var pub struct{ Districts []districtCount }
	if st := b.anonymous().do("GET", "/api/public/cameras", nil, &pub); st != 200 {
		t.Fatalf("public cameras: status %d", st)
	}
	want := []districtCount{{District: "Derby", Cameras: 2, Active: 1}, {District: "Erewash", Cameras: 1, Active: 1}}
	if !slices.Equal(pub.Districts, want) {
		t.Errorf("public cameras = %+v, want %+v", pub.Districts, want)
	}
}

// Alerts reach a signed-in operator's live stream as they are raised.
func TestAlertsArriveLive(t *testing.T) {
	b := newBackOffice(t)
	op := b.login("olive")
	req, _ := http.NewRequest("GET", b.srv.URL+"/api/alerts/events", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := op.http.Do(req.WithContext(ctx))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if ct := res.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("content type %q", ct)
	}
	got := make(chan string, 1)
	go func() {
		buf := make([]byte, 64<<10)
		var all string
		for {
			n, err := res.Body.Read(buf)
			all += string(buf[:n])
			if strings.Contains(all, "event: raised") && strings.Contains(all, "KX63PXF") {
				got <- all
				return
			}
			if err != nil {
				got <- all
				return
			}
		}
	}()
	time.Sleep(100 * time.Millisecond) // let the stream subscribe
	if _, st := b.submit(read("r1", "cam-2", "KX63PXF", time.Now())); st != 200 {
		t.Fatalf("submit: %d", st)
	}
	select {
	case s := <-got:
		if !strings.Contains(s, "event: raised") {
			t.Fatalf("stream got %q, no raised event", s)
		}
	case <-ctx.Done():
		t.Fatal("no alert on the live stream within 10 s")
	}
}

// An administrator's hotlist load goes into force at once and again after
// a restart; a mostly bad file is refused whole, the list in force stays,
// and both loads are audited.
func TestHotlistLoadedThroughTheAPIIsKept(t *testing.T) {
	b := newBackOffice(t)
	admin := b.login("adam")
	put := func(body string) (hotlist.LoadReport, int) {
		req, _ := http.NewRequest("PUT", b.srv.URL+"/api/hotlists/local", strings.NewReader(body))
		req.Header.Set("Content-Type", "text/csv")
		req.Header.Set(csrfHeader, admin.csrf)
		res, err := admin.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var rep hotlist.LoadReport
		json.NewDecoder(res.Body).Decode(&rep)
		return rep, res.StatusCode
	}
	good := "vrm,list,marker,priority\nYX11ABC,local,drugs,4\n"
	if rep, st := put(good); st != 200 || rep.Accepted != 1 {
		t.Fatalf("load: status %d, %+v", st, rep)
	}
	if res, _ := b.submit(read("r1", "cam-1", "YX11ABC", time.Now())); len(res.Alerts) != 1 {
		t.Errorf("a read of the newly listed vehicle raised %d alerts, want 1", len(res.Alerts))
	}
	if rep, st := put("vrm,list,marker,priority\nnot a mark,local,drugs,4\nAB1,nowhere,none,99\n"); st != http.StatusUnprocessableEntity || !rep.Refused {
		t.Fatalf("mostly bad load: status %d, %+v; want 422, refused", st, rep)
	}
	kept, err := os.ReadFile(filepath.Join(b.hotlistDir(), "local.csv"))
	if err != nil || string(kept) != good {
		t.Fatalf("kept file = %q, %v; want the good load", kept, err)
	}
	restarted, err := hotlist.New(hotlist.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := LoadHotlistDir(context.Background(), restarted, b.hotlistDir()); err != nil {
		t.Fatal(err)
	}
	if hits := restarted.Match("YX11ABC", time.Now()); len(hits) != 1 {
		t.Errorf("after a restart the list gives %d hits, want 1", len(hits))
	}
	var loads []audit.Entry
	for _, e := range b.auditEntries(audit.ActionHotlistLoad) {
		if e.Actor == "adam" {
			loads = append(loads, e)
		}
	}
	if len(loads) != 2 || loads[0].Outcome != audit.OutcomeOK || loads[1].Outcome != audit.OutcomeFailed {
		t.Errorf("audited loads: %+v; want one ok, one failed", loads)
	}
}

// An export is a search that leaves the system: the same rules, audited
// twice, and cameras by district only.
func TestExportIsAuditedAndGeneralised(t *testing.T) {
	b := newBackOffice(t)
	now := time.Now().UTC()
	b.submit(read("r1", "cam-1", "YX11ABC", now.Add(-time.Hour)))
	inv := b.login("ivan")
	req := searchRequest{VRM: "YX11ABC", From: now.Add(-24 * time.Hour), Justification: "vehicle seen at a burglary", Reference: "CRI/26/9"}
	body, _ := json.Marshal(req)
	hreq, _ := http.NewRequest("POST", b.srv.URL+"/api/exports", strings.NewReader(string(body)))
	hreq.Header.Set(csrfHeader, inv.csrf)
	res, err := inv.http.Do(hreq)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 || !strings.Contains(string(data), "r1,") || !strings.Contains(string(data), ",cam-1,Derby,YX11ABC,") {
		t.Fatalf("export: status %d, %q", res.StatusCode, data)
	}
	if strings.Contains(string(data), "52.92") || strings.Contains(string(data), "A38") {
		t.Errorf("export tells where the camera is: %q", data)
	}
	if es := b.auditEntries(audit.ActionExport); len(es) != 1 || es[0].Actor != "ivan" || es[0].Detail["reference"] != "CRI/26/9" {
		t.Errorf("export audit entries: %+v", es)
	}
	req.Justification = ""
	if st := inv.do("POST", "/api/exports", req, nil); st != http.StatusForbidden {
		t.Errorf("export without justification: status %d, want 403", st)
	}
}
