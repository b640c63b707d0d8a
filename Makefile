# The two commands a new user needs are `make demo` and `make test`; both
# install what is missing first (Debian packages need root or sudo).

GO      ?= go
BIN     := bin/anpr
DEMO    ?= demo-out

.PHONY: all deps build test demo bench fuzz contact-sheets models clean

all: build

deps:
	@bash scripts/install-deps.sh
	@$(GO) mod download

build: deps
	$(GO) build -o $(BIN) ./cmd/anpr

test: deps
	$(GO) vet ./...
	$(GO) test -count=1 ./...

# Until detection, matching and the console exist, the demo renders a
# labelled sample of crops and scenes, says where they are, and has the
# plate reader read fresh crops under every condition.
demo: build
	@rm -rf $(DEMO)
	./$(BIN) sim render --kind crop  --count 200 --seed 1 --condition mixed --out $(DEMO)/crops
	./$(BIN) sim render --kind scene --count 24  --seed 1 --condition mixed --out $(DEMO)/scenes
	@echo
	@echo "Rendered 200 plate crops in $(DEMO)/crops and 24 camera frames in $(DEMO)/scenes;"
	@echo "each folder's labels.jsonl holds the truth for every image."
	@echo
	@echo "The plate reader on 50 fresh crops per condition:"
	./$(BIN) models evaluate --condition each --count 50 --seed 9301

# Renderer and VRM benchmarks (figures quoted in the README).
bench: deps
	$(GO) test -run '^$$' -bench . -benchtime 3s ./sim/... ./engine/...

fuzz: deps
	$(GO) test -run '^$$' -fuzz FuzzParse -fuzztime 60s ./engine/vrm

# Remakes the per-condition contact sheets in docs/contact-sheets/.
contact-sheets: build
	./$(BIN) sim contact-sheets --out docs/contact-sheets

# Remakes the plate reader from nothing: render, train, export, evaluate,
# install into fixtures/models with its manifest. Long: see the README.
models: deps
	bash scripts/make-models.sh

clean:
	rm -rf bin $(DEMO)
