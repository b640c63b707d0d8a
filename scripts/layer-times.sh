#!/usr/bin/env bash
# Times a model's forward pass in OpenCV's DNN module on one thread, layer by
# layer, as the engine runs it (the same ONNX file, the same OpenCV), with no
# Go around it: where a frame's or a crop's time goes.
#
#   bash scripts/layer-times.sh fixtures/models/detector.onnx 360 640
#   bash scripts/layer-times.sh fixtures/models/reader.onnx 48 160
#
# Arguments: the model, its input height and width (one grey channel). The
# input is random grey levels: a convolution's time does not depend on them.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 3 ] || { echo "usage: $0 MODEL.onnx HEIGHT WIDTH" >&2; exit 2; }
mkdir -p build
cat > build/layer-times.cpp <<'CPP'
#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
int main(int argc, char** argv) {
  cv::setNumThreads(1);
  cv::dnn::Net net = cv::dnn::readNetFromONNX(argv[1]);
  int sizes[] = {1, 1, atoi(argv[2]), atoi(argv[3])};
  cv::Mat blob(4, sizes, CV_32F);
  cv::randu(blob, 0, 255);
  net.setInput(blob);
  for (int i = 0; i < 5; i++) net.forward();  // the first passes allocate
  const int n = 50;
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < n; i++) net.forward();
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() / n;
  printf("forward pass: mean %.3f ms over %d, one thread\n", ms, n);
  std::vector<double> t;
  net.getPerfProfile(t);  // the last pass, per layer, in ticks
  std::vector<cv::String> names = net.getLayerNames();
  double perMS = cv::getTickFrequency() / 1000;
  for (size_t i = 0; i < t.size() && i < names.size(); i++)
    if (t[i] / perMS >= 0.01) printf("  %-44s %.3f ms\n", names[i].c_str(), t[i] / perMS);
}
CPP
g++ -O2 -o build/layer-times build/layer-times.cpp $(pkg-config --cflags --libs opencv4)
build/layer-times "$1" "$2" "$3"
