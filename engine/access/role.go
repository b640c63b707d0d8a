package access

import "slices"

// Role is what a user or a machine is allowed to do: one each.
type Role string

// The roles. Ingest is for machines, which authenticate with API tokens;
// the others are for people, who log in with a password.
const (
	Operator      Role = "operator"
	Investigator  Role = "investigator"
	Authoriser    Role = "senior-authoriser"
	Auditor       Role = "auditor"
	Administrator Role = "administrator"
	Ingest        Role = "ingest" // machines (API tokens) that submit reads and nothing else
)

var roleList = []Role{Operator, Investigator, Authoriser, Auditor, Administrator, Ingest}

// Roles returns every role.
func Roles() []Role { return slices.Clone(roleList) }

// Valid reports whether r is one of the roles.
func (r Role) Valid() bool { return slices.Contains(roleList, r) }

// Machine reports whether r is a role for machines, held by API tokens and
// never by a person's account.
func (r Role) Machine() bool { return r == Ingest }

// Permission is one thing the system lets a role do.
type Permission string

// The permissions. A new one is added here, to permissionList, and to the
// roles that need it in grants.
const (
	ViewAlerts         Permission = "view-alerts"          // live alerts, their images and statistics
	DecideAlerts       Permission = "decide-alerts"        // act on an alert: confirm, dismiss, dispatch
	SearchReads        Permission = "search-reads"         // search stored reads, within the search rules
	ApproveSearches    Permission = "approve-searches"     // approve a search of reads older than 90 days
	ReadAudit          Permission = "read-audit"           // read the audit log
	ManageUsers        Permission = "manage-users"         // add, disable and change users and tokens
	ManageCameras      Permission = "manage-cameras"       // add, change and remove cameras and sites
	ManageHotlists     Permission = "manage-hotlists"      // load and change hotlists
	IngestReads        Permission = "ingest-reads"         // submit reads
	SeeCameraLocations Permission = "see-camera-locations" // where a camera is, not only its ID
)

var permissionList = []Permission{
	ViewAlerts, DecideAlerts, SearchReads, ApproveSearches, ReadAudit,
	ManageUsers, ManageCameras, ManageHotlists, IngestReads, SeeCameraLocations,
}

// Permissions returns every permission.
func Permissions() []Permission { return slices.Clone(permissionList) }

// Valid reports whether p is one of the permissions.
func (p Permission) Valid() bool { return slices.Contains(permissionList, p) }

// grants is the whole of what each role may do; see the package
// documentation for why. It is never changed at run time: a change of policy
// is a change here, reviewed and tested.
var grants = map[Role][]Permission{
	// Alerts, and where the camera that raised one is, to send officers.
	Operator: {ViewAlerts, DecideAlerts, SeeCameraLocations},
	// Stored reads, under the search rules, and where each was taken.
	Investigator: {SearchReads, SeeCameraLocations},
	// Approving searches, not running them: the one who approves is never
	// the one who searches.
	Authoriser: {ApproveSearches, SeeCameraLocations},
	// The audit log only: checking use needs no reads and no places.
	Auditor: {ReadAudit},
	// Running the system, with no reads and so no alerts.
	Administrator: {ManageUsers, ManageCameras, ManageHotlists, SeeCameraLocations},
	// Submitting reads, nothing else.
	Ingest: {IngestReads},
}

// Can reports whether role r has permission p. The answer is no for a role
// or permission this package does not know.
func (r Role) Can(p Permission) bool { return slices.Contains(grants[r], p) }

// Permissions returns what r may do, in the order of [Permissions].
func (r Role) Permissions() []Permission {
	var out []Permission
	for _, p := range permissionList {
		if r.Can(p) {
			out = append(out, p)
		}
	}
	return out
}
