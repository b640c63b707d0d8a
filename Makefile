# The two commands a new user needs are `make demo` and `make test`; both
# install what is missing first (Debian packages need root or sudo).

GO      ?= go
BIN     := bin/anpr
DEMO    ?= demo-out
DEMO_PORT ?= 18081
DEMO_DATA ?= demo-data
CONSOLE_PORT ?= 8080

.PHONY: all deps build test demo demo-engine test-integration scenarios bench fuzz contact-sheets models clean

all: build

deps:
	@bash scripts/install-deps.sh
	@$(GO) mod download

build: deps
	$(GO) build -o $(BIN) ./cmd/anpr
	$(GO) build -o bin/anpr-planner ./cmd/anpr-planner
	$(GO) build -o bin/anpr-display ./cmd/anpr-display

# Under a virtual display (xvfb-run), so the planner's tests can draw.
test: deps
	$(GO) vet ./...
	xvfb-run -a $(GO) test -count=1 ./...

# The longer scenarios (ci-smoke runs in make test; county-day, about 13
# minutes, runs alone: bin/anpr sim run scenarios/county-day.yaml).
scenarios: build
	@failed=""; for s in night-ir rain-rush-hour bassetts-pole; do \
	  ./$(BIN) sim run scenarios/$$s.yaml --report build/scenarios/$$s || failed="$$failed $$s"; done; \
	if [ -n "$$failed" ]; then echo "make scenarios: expectations not met in:$$failed" >&2; exit 1; fi

# The scale-out path against real NATS JetStream and PostgreSQL (at
# ANPR_TEST_NATS and ANPR_TEST_POSTGRES, default 127.0.0.1). `make test`
# runs these too and they skip where the services are absent; here a skip
# is a failure.
test-integration: deps
	@mkdir -p build; $(GO) test -count=1 -v ./engine/store/postgres/... ./engine/bus/... ./engine/role/... 2>&1 | tee build/integration.log | grep -E '^(ok|FAIL|---|panic)' ; \
	  if grep -q -- '--- SKIP' build/integration.log; then echo "test-integration: tests skipped: are NATS and PostgreSQL running?"; exit 1; fi; \
	  ! grep -q -E '^(FAIL|panic)' build/integration.log

# The demo is the whole back office on the embedded default: `anpr serve
# --demo` with virtual cameras feeding the engine; open the console it
# prints and sign in with the demo users. Ctrl-C stops it; the data stays in
# $(DEMO_DATA) for the next run.
demo: build
	./$(BIN) serve --demo --data $(DEMO_DATA) --listen 127.0.0.1:$(CONSOLE_PORT)

# The recognition engine on its own: renders labelled frames and reads them,
# watches a live virtual camera (HTTP MJPEG on 127.0.0.1) for a few vehicle
# passes, and measures the engine on fresh frames and the reader on fresh
# crops.
demo-engine: build
	@rm -rf $(DEMO)
	./$(BIN) sim render --kind crop  --count 200 --seed 1 --condition mixed --out $(DEMO)/crops
	./$(BIN) sim render --kind scene --count 24  --seed 1 --condition mixed --out $(DEMO)/scenes
	@echo
	@echo "Rendered 200 plate crops in $(DEMO)/crops and 24 camera frames in $(DEMO)/scenes;"
	@echo "each folder's labels.jsonl holds the truth for every image."
	@echo
	@echo "The engine finds and reads the plates in the 24 frames ($(DEMO)/reads.jsonl):"
	@ls $(DEMO)/scenes/*.jpg | ./$(BIN) read - > $(DEMO)/reads.jsonl || true
	@scripts/demo-compare.sh $(DEMO)/scenes/labels.jsonl $(DEMO)/reads.jsonl
	@echo
	@echo "A virtual camera streams 4 passing vehicles on http://127.0.0.1:$(DEMO_PORT)/camera.mjpg;"
	@echo "anpr watch reads the stream live, one JSON line per vehicle pass ($(DEMO)/passes.jsonl):"
	@./$(BIN) sim camera --listen 127.0.0.1:$(DEMO_PORT) --passes 4 --seed 3 --wait-for-viewer > $(DEMO)/camera-truth.jsonl 2>/dev/null & \
	  sleep 1; timeout -s INT 11 ./$(BIN) watch --source http://127.0.0.1:$(DEMO_PORT)/camera.mjpg --camera demo-1 \
	    --images $(DEMO)/passes > $(DEMO)/passes.jsonl 2>/dev/null; wait; true
	@echo "  shown: $$(sed 's/.*"plate":"\([A-Z0-9]*\)".*/\1/' $(DEMO)/camera-truth.jsonl | tr '\n' ' ')"
	@echo "  read:  $$(sed 's/^{"camera":"demo-1","text":"\([A-Z0-9]*\)".*/\1/' $(DEMO)/passes.jsonl | tr '\n' ' ')"
	@echo
	@echo "The whole engine on 20 fresh frames per condition and 100 without a plate:"
	./$(BIN) models evaluate --frames --condition each --count 20 --empty 100 --seed 9302
	@echo
	@echo "The patch reader alone on 50 fresh plate crops per condition:"
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
