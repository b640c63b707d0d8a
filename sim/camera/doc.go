// Package camera is the simulator's virtual ANPR cameras: sites on the links
// of a road network (package traffic) that capture the vehicles passing
// them as a real camera would, frame by frame, under the light and weather
// of the moment, with the truth of every frame.
//
// A Site says where a camera stands and what it is: the link it watches
// (by its from and to node ids), how far along it, whether it faces the
// oncoming traffic (front plates) or the departing traffic (rear plates),
// the lanes it covers, its mounting height and the distance to the plate at
// its trigger point, its resolution, frame rate, shutter, infrared or colour
// sensor, and horizontal field of view. Place checks sites against a network
// and works out each one's optics: the focal length in pixels, and the
// stretch of road its frame sees (the capture zone), from the mounting
// height, the distance and the vertical field of view.
//
// For each passage of a vehicle along its link, Placed.Plan says what the
// camera captures: when the vehicle reaches the trigger point, in which lane,
// at what speed, and the capture time and distance of every frame in which
// the plate is in the zone. Placed.Render renders those frames (package
// scene) for the vehicle's own mark.
//
// What the renderer honours, and what is approximated:
//   - honoured: the mark (front plate for an oncoming camera, rear for a
//     departing one), the character height in pixels that the focal length
//     and distance give, the mounting height, the distance, the vehicle's
//     speed and the shutter (motion blur), the resolution, infrared or
//     colour, and the light and weather;
//   - approximated: a pass is rendered once, at the frame nearest the
//     camera, and the other frames are that image scaled and moved as the
//     plate would be at their distances (the whole picture scales, not just
//     the vehicle); the angle between lane and line of sight and the plate's
//     place across the frame are drawn by the renderer, not set by the lane;
//     lanes only decide whether a vehicle is covered (a vehicle's lane is
//     drawn evenly from the link's lanes); each pass shows one vehicle, even
//     when two are in the zone at once; rain and fog are not drawn on
//     infrared night frames; and the JPEG round trip of the camera is made
//     once per pass, on the rendered frame.
package camera
