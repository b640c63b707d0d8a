package api

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// browser starts a headless Chromium (Debian's, which scripts/install-deps.sh
// installs) for one test.
func browser(t *testing.T) context.Context {
	t.Helper()
	path := os.Getenv("ANPR_CHROMIUM")
	if path == "" {
		for _, p := range []string{"chromium", "chromium-browser", "google-chrome"} {
			if found, err := exec.LookPath(p); err == nil {
				path = found
				break
			}
		}
	}
	if path == "" {
		t.Skip("no Chromium on this machine: run scripts/install-deps.sh (or set ANPR_CHROMIUM) to test the console in a real browser")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	return ctx
}

// The operator console end to end in a real browser: an operator signs in,
// an alert caused by a camera's read arrives live, the operator deploys a
// resource, and the auditor finds that decision in the audit log, whose
// chain verifies.
func TestConsoleEndToEnd(t *testing.T) {
	b := newBackOffice(t)
	ctx := browser(t)
	signIn := func(name string) chromedp.Action[chromedp.Void] {
		return chromedp.Steps(
			chromedp.WaitVisible(chromedp.CSS(`#login-name`)),
			chromedp.SendKeys(chromedp.CSS(`#login-name`), name),
			chromedp.SendKeys(chromedp.CSS(`#login-password`), testPassword),
			chromedp.Click(chromedp.CSS(`#login-submit`)),
		)
	}
	if err := chromedp.Do(ctx,
		chromedp.Navigate(b.srv.URL+"/"),
		signIn("olive"),
		chromedp.WaitVisible(chromedp.CSS(`#operator-view`)),
		chromedp.WaitVisible(chromedp.CSS(`#stream-state`)),
	); err != nil {
		t.Fatalf("operator sign-in: %v", err)
	}
	// The stream must be connected before the read, or the alert would
	// come from the list rather than live.
	waitText(t, ctx, `#stream-state`, "live")

	if _, st := b.submit(read("r-live", "cam-1", "AB12CDE", time.Now())); st != 200 {
		t.Fatalf("camera's read: status %d", st)
	}
	card := `#alerts article.alert`
	waitText(t, ctx, card+` .vrm`, "AB12CDE")
	waitText(t, ctx, card+` .advice`, "Stolen vehicle")
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(card+` .resource`), "RPU 7"),
		chromedp.Click(chromedp.CSS(card+` .deploy`)),
	); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, card+` .decision`, "deploy (RPU 7)")

	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#logout`)),
		signIn("audrey"),
		chromedp.WaitVisible(chromedp.CSS(`#auditor-view`)),
	); err != nil {
		t.Fatalf("auditor sign-in: %v", err)
	}
	waitText(t, ctx, `#audit-entries tbody`, "alert-decision")
	log, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#audit-entries tbody`)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log, "olive") || !strings.Contains(log, "resource=RPU 7") {
		t.Errorf("the auditor's view lacks olive's deploy decision:\n%s", log)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#audit-verify`))); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, `#verify-result`, "The chain verifies")
	hidden, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById("operator-view").hidden`))
	if err != nil {
		t.Fatal(err)
	}
	if !hidden {
		t.Error("the auditor is shown the operator's alerts")
	}
}

// waitText waits until the element's text contains want.
func waitText(t *testing.T, ctx context.Context, sel, want string) {
	t.Helper()
	var got string
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		// Read through script: a query would wait for the element to exist.
		text, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`(document.querySelector(%q) || {}).textContent || ""`, sel)))
		if err == nil {
			got = text
			if strings.Contains(got, want) {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	msg, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("message").textContent`))
	t.Fatalf("%s: text %q never came to contain %q (console message %q)", sel, got, want, msg)
}

// An investigator searches in the console with a justification and a
// reference and sees the read; without them the console shows the
// refusal.
func TestConsoleInvestigatorSearch(t *testing.T) {
	b := newBackOffice(t)
	b.submit(read("r-old", "cam-2", "YX11ABC", time.Now().Add(-2*time.Hour)))
	ctx := browser(t)
	from := time.Now().Add(-48 * time.Hour).Format("2006-01-02T15:04")
	setValue := func(sel, v string) chromedp.Action[chromedp.Void] {
		return chromedp.SetValue(chromedp.CSS(sel), v)
	}
	if err := chromedp.Do(ctx,
		chromedp.Navigate(b.srv.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#login-name`)),
		chromedp.SendKeys(chromedp.CSS(`#login-name`), "ivan"),
		chromedp.SendKeys(chromedp.CSS(`#login-password`), testPassword),
		chromedp.Click(chromedp.CSS(`#login-submit`)),
		chromedp.WaitVisible(chromedp.CSS(`#investigator-view`)),
		setValue(`#search-vrm`, "YX11ABC"),
		setValue(`#search-from`, from),
		setValue(`#search-justification`, "vehicle seen leaving a burglary"),
		setValue(`#search-reference`, "CRI/26/77"),
		chromedp.Click(chromedp.CSS(`#search-submit`)),
	); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, `#search-results tbody`, "YX11ABC")
	waitText(t, ctx, `#message`, "recorded in the audit log")
	searches := b.auditEntries("search")
	if len(searches) != 1 || searches[0].Actor != "ivan" || searches[0].Detail["reference"] != "CRI/26/77" {
		t.Errorf("audited searches: %+v", searches)
	}
}
