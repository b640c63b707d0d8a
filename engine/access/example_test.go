package access_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"anpr/engine/access"
)

// An investigator logs in and searches recent reads; a search further back
// is refused until a senior authoriser approves it.
func Example() {
	dir, _ := os.MkdirTemp("", "access")
	defer os.RemoveAll(dir)
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	d, err := access.Open(filepath.Join(dir, "access.db"), access.Options{
		Now:        func() time.Time { return now },
		HashParams: access.HashParams{Time: 1, Memory: 64}, // cheap, for the example only
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer d.Close()
	ctx := context.Background()

	d.AddUser(ctx, "pc1234", access.Investigator, "a long passphrase of mine")
	d.AddUser(ctx, "ds42", access.Authoriser, "another long passphrase")

	_, err = d.Login(ctx, "pc1234", "not my passphrase", "192.0.2.7:51000")
	fmt.Println(errors.Is(err, access.ErrBadCredentials))
	s, err := d.Login(ctx, "pc1234", "a long passphrase of mine", "192.0.2.7:51000")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s.User.Name, s.User.Role, "until", s.Expires.Format(time.TimeOnly))

	search := access.SearchRequest{
		User:          s.User,
		Justification: "vehicle seen leaving a stabbing",
		Reference:     "CRI/2026/12345",
		CrimeCategory: "serious-violence",
		From:          now.AddDate(0, 0, -30),
	}
	fmt.Println("30 days:", d.CheckSearch(ctx, search))

	search.From = now.AddDate(0, 0, -120)
	err = d.CheckSearch(ctx, search)
	var denied *access.PolicyError
	if errors.As(err, &denied) {
		fmt.Println("120 days:", denied.Rule)
	}

	a, _ := d.RequestApproval(ctx, s.User, search.Reference, search.CrimeCategory,
		"same vehicle linked to an earlier attack", search.From, time.Time{})
	a, _ = d.DecideApproval(ctx, access.User{Name: "ds42"}, a.ID, true, "proportionate")
	search.ApprovalID = a.ID
	fmt.Println("120 days, approved:", d.CheckSearch(ctx, search))

	// Output:
	// true
	// pc1234 investigator until 09:15:00
	// 30 days: <nil>
	// 120 days: approval
	// 120 days, approved: <nil>
}
