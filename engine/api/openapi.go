package api

import (
	_ "embed"
	"net/http"
)

// openAPI describes every route in the server's table; TestOpenAPICoversEveryRoute
// keeps the two together.
//
//go:embed openapi.json
var openAPI []byte

func (s *Server) serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Write(openAPI)
}
