// focusmeter-fakecam: a fake IP camera for the scan tests and the demo.
//
// Serves one still image (sharp, or defocused with --blur: Gaussian or a
// disk, --defocus) as a live H.264 or H.265 (--codec, --10bit for Main10)
// RTSP stream at one brand's path, optionally behind digest authentication,
// bound to one loopback address and a port chosen at run time (--port 0).
//
// Like a real camera, the encoder runs from start-up whether anyone watches
// or not, with a keyframe every --gop seconds, and every client shares that
// one running stream: a client joins wherever the encoder is, usually in the
// middle of a GOP, so the first pictures it gets are P-frames without their
// keyframe. (The encoder pipeline ends in an appsink; each RTSP media, shared
// between its clients, starts with an appsrc fed from it.) The SDP carries
// the parameter sets (sprop-parameter-sets), as real cameras' do.
// --tcp-refuse offers RTP over UDP only (SETUP over TCP gets 461).
// --max-sessions N serves at most N clients at once, as cameras limit their
// RTSP sessions: SETUP beyond that gets 503 Service Unavailable.
//
// Two more modes stand in for broken devices: `garbage`
// answers every connection with bytes that are not RTSP, `silent` accepts
// connections and never says a word; `audio` serves a stream without video.
// `--channels N` makes it an NVR: N streams at the paths --path gives with
// {channel} filled in (default /Streaming/Channels/{channel}01), each its own
// picture; `--blurred-channels 2,4` blurs only those (by --blur).
// `--onvif-port P` adds an ONVIF device service (fake_onvif.h) naming the RTSP
// stream, with the same credentials; `--discovery-port P` a WS-Discovery
// responder for it. The READY line then also carries those ports.
//
// A picture that changes while the camera runs, as a real one's does when
// its lens drifts, someone turns it or covers it: `--change-to KIND`
// (defocus: the picture blurred further by --change-blur; scene: a different
// scene; black: nothing) with `--change-after SECONDS` switches the
// encoder's input once, and SIGUSR1 switches to the changed picture and
// SIGUSR2 back to the original at any time (for tests that drive the
// change themselves). Clients joined to the running stream see the new
// picture from the encoder's next frame on.
//
// `--osd` burns in what nearly every IP camera draws after the lens: a date
// and time top left and the camera's name bottom right, white with a black
// outline, crisp (no anti-aliasing) however defocused the picture is.
// `--motion` makes the scene move as a real camera's does: it pans slowly
// under the OSD, which stays crisp at the same place (moving_scene.h).
// `--osd-color grey` draws the OSD in plain mid-grey instead.
//
// When it listens it prints one line on stdout, "READY <address> <port>",
// and runs until SIGINT/SIGTERM or until its stdin closes (so a test that
// dies takes its cameras with it). The password comes from a file, never
// from the command line.
#include <gio/gio.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <gst/rtsp-server/rtsp-server.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <string>
#include <vector>

#include "fake_onvif.h"
#include "moving_scene.h"

namespace {

struct Options {
  gchar* address = nullptr;
  gint port = 0;
  gchar* mode = nullptr;
  gchar* image = nullptr;
  gdouble blur = 0;
  gchar* path = nullptr;
  gchar* user = nullptr;
  gchar* password_file = nullptr;
  gboolean basic = FALSE;
  gint width = 640;
  gint height = 480;
  gint fps = 10;
  gdouble gop = 1.0;  // seconds between keyframes
  gchar* codec = nullptr;
  gchar* defocus = nullptr;
  gboolean ten_bit = FALSE;
  gboolean tcp_refuse = FALSE;
  gint max_sessions = 0;     // 0: no limit
  gint channels = 0;         // 0: one camera at --path
  gint onvif_port = -1;      // -1: no ONVIF service
  gint discovery_port = -1;  // -1: no WS-Discovery responder
  gboolean discovery_group = FALSE;
  gchar* blurred_channels = nullptr;
  gchar* change_to = nullptr;  // defocus, scene, black
  gdouble change_after = -1;   // seconds; < 0: only on SIGUSR1
  gdouble change_blur = 2.0;   // defocus: the extra Gaussian sigma
  gboolean osd = FALSE;
  gboolean motion = FALSE;     // the scene pans (moving_scene.h)
  gchar* osd_color = nullptr;  // white (default) or grey
  ~Options() {
    g_free(osd_color);
    g_free(change_to);
    g_free(codec);
    g_free(defocus);
    g_free(blurred_channels);
    g_free(address);
    g_free(mode);
    g_free(image);
    g_free(path);
    g_free(user);
    g_free(password_file);
  }
};

bool osd_grey(const Options& o) { return o.osd_color && g_str_equal(o.osd_color, "grey"); }

// A synthetic scene with edges at every scale, for when no image is given.
cv::Mat synthetic_scene(int width, int height) {
  cv::Mat img(height, width, CV_8UC3, cv::Scalar(90, 110, 120));
  for (int y = 0; y < height; y += 40)
    for (int x = (y / 40) % 2 * 40; x < width; x += 80)
      cv::rectangle(img, {x, y, 40, 40}, cv::Scalar(220, 220, 220), cv::FILLED);
  for (int i = 0; i < 12; ++i)
    cv::line(img, {0, i * height / 12}, {width, height - i * height / 12}, cv::Scalar(20, 20, 200), 2);
  cv::putText(img, "focusmeter fake camera", {20, height / 2}, cv::FONT_HERSHEY_SIMPLEX, 1.0, cv::Scalar(0, 0, 0), 2);
  return img;
}

// A second scene for --change-to scene: other shapes at other places, so
// that nothing of the first one lines up.
cv::Mat other_scene(int width, int height) {
  cv::Mat img(height, width, CV_8UC3, cv::Scalar(60, 140, 90));
  for (int i = 0; i < 14; ++i)
    cv::circle(img, {(i * 97) % width, (i * 53 + 30) % height}, 18 + (i * 7) % 40, cv::Scalar(230, 200, 40), 3);
  for (int x = 0; x < width; x += 23) cv::line(img, {x, height / 3}, {x + 11, height}, cv::Scalar(10, 10, 10), 2);
  cv::putText(img, "another place", {width / 5, height / 4}, cv::FONT_HERSHEY_SIMPLEX, 1.2, cv::Scalar(255, 255, 255),
              3);
  return img;
}

// The picture the lens sees, `width` wide (the frame's, or wider for
// --motion's pan), defocused by `blur`; empty with `error` set.
cv::Mat defocused_picture(const Options& o, int width, std::string& error, double blur, const std::string& kind = "") {
  cv::Mat img;
  if (kind == "black") {
    img = cv::Mat::zeros(o.height, width, CV_8UC3);
  } else if (kind == "scene") {
    img = other_scene(width, o.height);
  } else if (o.image) {
    img = cv::imread(o.image, cv::IMREAD_COLOR);
    if (img.empty()) {
      error = std::string("cannot read image ") + o.image;
      return {};
    }
    cv::resize(img, img, {width, o.height}, 0, 0, cv::INTER_AREA);
  } else {
    img = synthetic_scene(width, o.height);
  }
  if (kind == "defocus") blur = std::sqrt(blur * blur + o.change_blur * o.change_blur);
  if (kind == "black") blur = 0;
  if (blur > 0 && o.defocus && g_str_equal(o.defocus, "disk")) {
    // A defocused lens: the point spread function is a uniform disk of radius --blur.
    const int r = static_cast<int>(std::ceil(blur));
    cv::Mat kernel = cv::Mat::zeros(2 * r + 1, 2 * r + 1, CV_32F);
    cv::circle(kernel, {r, r}, static_cast<int>(std::lround(blur)), cv::Scalar(1), cv::FILLED, cv::LINE_AA);
    kernel /= cv::sum(kernel)[0];
    cv::filter2D(img, img, -1, kernel, {-1, -1}, 0, cv::BORDER_REFLECT);
  } else if (blur > 0) {
    cv::GaussianBlur(img, img, {0, 0}, blur);
  }
  return img;
}

// Writes the frame the camera shows (the picture, then the OSD) as a PNG in
// the private temporary directory `dir`; returns its path, or "" with
// `error` set.
std::string prepare_frame(const Options& o, const std::string& dir, std::string& error, double blur,
                          const std::string& name = "frame.png", const std::string& kind = "") {
  cv::Mat img = defocused_picture(o, o.width, error, blur, kind);
  if (img.empty()) return {};
  if (o.osd && kind != "black") fakecam::burn_in_osd(img, osd_grey(o));
  std::string path = dir + "/" + name;
  if (!cv::imwrite(path, img)) {
    error = "cannot write " + path;
    return {};
  }
  return path;
}

bool read_password(const char* file, std::string& out) {
  g_autofree gchar* text = nullptr;
  if (!g_file_get_contents(file, &text, nullptr, nullptr)) return false;
  out = text;
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return true;
}

// --- raw TCP modes -----------------------------------------------------------

// Garbage: answer whatever arrives (or nothing) with bytes that are not RTSP.
gboolean on_garbage_incoming(GSocketService*, GSocketConnection* conn, GObject*, gpointer) {
  static const char kJunk[] = "SSH-2.0-OpenSSH_9.2\r\n\x01\x02\x03 this is not rtsp \xff\xfe\r\n\r\n";
  GOutputStream* out = g_io_stream_get_output_stream(G_IO_STREAM(conn));
  g_output_stream_write_all(out, kJunk, sizeof kJunk - 1, nullptr, nullptr, nullptr);
  // Read the request and answer it with more junk, then hang up.
  char buf[1024];
  GInputStream* in = g_io_stream_get_input_stream(G_IO_STREAM(conn));
  g_socket_set_timeout(g_socket_connection_get_socket(conn), 2);
  g_input_stream_read(in, buf, sizeof buf, nullptr, nullptr);
  g_output_stream_write_all(out, kJunk, sizeof kJunk - 1, nullptr, nullptr, nullptr);
  g_io_stream_close(G_IO_STREAM(conn), nullptr, nullptr);
  return TRUE;
}

// Silent: keep every connection open and never answer.
gboolean on_silent_incoming(GSocketService*, GSocketConnection* conn, GObject*, gpointer data) {
  auto* held = static_cast<std::vector<GSocketConnection*>*>(data);
  held->push_back(G_SOCKET_CONNECTION(g_object_ref(conn)));
  return TRUE;
}

// Binds a GSocketService to address:port (0 = any); returns the bound port.
int listen_raw(GSocketService* service, const char* address, int port, std::string& error) {
  g_autoptr(GInetAddress) inet = g_inet_address_new_from_string(address);
  if (!inet) {
    error = std::string("not an IP address: ") + address;
    return -1;
  }
  g_autoptr(GSocketAddress) sa = g_inet_socket_address_new(inet, static_cast<guint16>(port));
  g_autoptr(GSocketAddress) effective = nullptr;
  g_autoptr(GError) err = nullptr;
  if (!g_socket_listener_add_address(G_SOCKET_LISTENER(service), sa, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                     nullptr, &effective, &err)) {
    error = err->message;
    return -1;
  }
  return g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(effective));
}

// --- RTSP modes ----------------------------------------------------------------

// Real cameras answer 401 to every request before authentication, whatever
// the path; gst-rtsp-server only asks for credentials once it has found a
// mount. This GstRTSPAuth subclass authenticates at the URL check, so a
// wrong path gives 401 before authentication and 404 only after it.
struct StrictAuth {
  GstRTSPAuth parent;
};
struct StrictAuthClass {
  GstRTSPAuthClass parent_class;
};
G_DEFINE_TYPE(StrictAuth, strict_auth, GST_TYPE_RTSP_AUTH)

gboolean strict_auth_check(GstRTSPAuth* auth, GstRTSPContext* ctx, const gchar* check) {
  GstRTSPAuthClass* klass = GST_RTSP_AUTH_GET_CLASS(auth);
  if (g_str_equal(check, GST_RTSP_AUTH_CHECK_URL) && ctx->method != GST_RTSP_OPTIONS) {
    if (!ctx->token) klass->authenticate(auth, ctx);
    if (!ctx->token) {
      gst_rtsp_message_init_response(ctx->response, GST_RTSP_STS_UNAUTHORIZED,
                                     gst_rtsp_status_as_text(GST_RTSP_STS_UNAUTHORIZED), ctx->request);
      klass->generate_authenticate_header(auth, ctx);
      gst_rtsp_client_send_message(ctx->client, ctx->session, ctx->response);
      return FALSE;
    }
  }
  return GST_RTSP_AUTH_CLASS(strict_auth_parent_class)->check(auth, ctx, check);
}

void strict_auth_class_init(StrictAuthClass* klass) { GST_RTSP_AUTH_CLASS(klass)->check = strict_auth_check; }
void strict_auth_init(StrictAuth*) {}

// The camera's encoder: runs from start-up, whoever watches. Its output
// (parsed into avc/hvc1 so that the caps carry the parameter sets for the
// SDP) goes to an appsink, and from there to every live RTSP media.
// With a `changed_path`, both pictures run into an input-selector (named
// "picture") and the camera shows one or the other.
// With a `scene`, the pictures come from its appsrc instead of a still image.
std::string encoder_launch(const Options& o, const std::string& codec, const std::string& frame_path,
                           const std::string& changed_path = "", const fakecam::MovingScene* scene = nullptr) {
  g_autofree gchar* quoted = g_strescape(frame_path.c_str(), nullptr);
  const int key_int = std::max(1, static_cast<int>(std::lround(o.gop * o.fps)));
  std::string enc;
  if (codec == "h265")
    enc = std::string("video/x-raw,format=") + (o.ten_bit ? "I420_10LE" : "I420") +
          " ! x265enc tune=zerolatency speed-preset=ultrafast key-int-max=" + std::to_string(key_int) +
          " ! h265parse ! video/x-h265,stream-format=hvc1,alignment=au";
  else
    enc = "video/x-raw,format=I420 ! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=" +
          std::to_string(key_int) + " ! h264parse ! video/x-h264,stream-format=avc,alignment=au";
  auto picture = [&](const char* location) {
    return std::string("filesrc location=\"") + location +
           "\" ! pngdec ! videoconvert ! imagefreeze is-live=true ! video/x-raw,framerate=" + std::to_string(o.fps) +
           "/1 ! videoconvert";
  };
  if (scene) return scene->launch() + " ! " + enc + " ! appsink name=encoded sync=false max-buffers=8 drop=true";
  if (changed_path.empty())
    return picture(quoted) + " ! " + enc + " ! appsink name=encoded sync=false max-buffers=8 drop=true";
  g_autofree gchar* changed = g_strescape(changed_path.c_str(), nullptr);
  const std::string raw = std::string("video/x-raw,format=") + (o.ten_bit ? "I420_10LE" : "I420");
  return "input-selector name=picture ! " + enc + " ! appsink name=encoded sync=false max-buffers=8 drop=true " +
         picture(quoted) + " ! " + raw + " ! picture.sink_0 " + picture(changed) + " ! " + raw + " ! picture.sink_1";
}

// Shows the original (false) or the changed picture (true).
void show_changed(GstElement* encoder, bool changed) {
  g_autoptr(GstElement) selector = gst_bin_get_by_name(GST_BIN(encoder), "picture");
  if (!selector) return;
  g_autoptr(GstPad) pad = gst_element_get_static_pad(selector, changed ? "sink_1" : "sink_0");
  if (pad) g_object_set(selector, "active-pad", pad, nullptr);
  std::fprintf(stderr, "fakecam: showing the %s picture\n", changed ? "changed" : "original");
}

gboolean on_change_signal(gpointer encoder) {
  show_changed(static_cast<GstElement*>(encoder), true);
  return G_SOURCE_CONTINUE;
}
gboolean on_restore_signal(gpointer encoder) {
  show_changed(static_cast<GstElement*>(encoder), false);
  return G_SOURCE_CONTINUE;
}
gboolean on_change_timer(gpointer encoder) {
  show_changed(static_cast<GstElement*>(encoder), true);
  return G_SOURCE_REMOVE;
}

std::string media_launch(const std::string& mode, const std::string& codec) {
  if (mode == "audio")
    return "( audiotestsrc is-live=true ! audioconvert ! audioresample ! mulawenc ! rtppcmupay name=pay0 pt=0 )";
  const std::string pay = codec == "h265" ? "h265parse ! rtph265pay" : "h264parse ! rtph264pay";
  return "( appsrc name=relay is-live=true format=time do-timestamp=true ! " + pay +
         " name=pay0 pt=96 config-interval=-1 )";
}

// An NVR channel: each channel its own picture and encoder inside its media
// (shared between the channel's clients; the first client of a channel
// starts on its keyframe, later ones join the running stream).
std::string channel_media_launch(const Options& o, const std::string& frame_path) {
  g_autofree gchar* quoted = g_strescape(frame_path.c_str(), nullptr);
  const int key_int = std::max(1, static_cast<int>(std::lround(o.gop * o.fps)));
  return std::string("( filesrc location=\"") + quoted +
         "\" ! pngdec ! videoconvert ! imagefreeze is-live=true ! video/x-raw,framerate=" + std::to_string(o.fps) +
         "/1 ! videoconvert ! video/x-raw,format=I420 ! x264enc tune=zerolatency speed-preset=ultrafast "
         "key-int-max=" +
         std::to_string(key_int) + " ! rtph264pay name=pay0 pt=96 config-interval=1 )";
}

// Hands each encoded access unit to every prepared media's appsrc.
struct Relay {
  std::mutex mutex;
  GstCaps* caps = nullptr;          // the encoder's output caps, once known
  std::vector<GstAppSrc*> sources;  // one ref each
  ~Relay() {
    for (GstAppSrc* s : sources) gst_object_unref(s);
    if (caps) gst_caps_unref(caps);
  }
};

GstFlowReturn on_encoded(GstAppSink* sink, gpointer data) {
  auto* relay = static_cast<Relay*>(data);
  g_autoptr(GstSample) sample = gst_app_sink_pull_sample(sink);
  if (!sample) return GST_FLOW_EOS;
  std::lock_guard<std::mutex> lock(relay->mutex);
  if (!relay->caps) {
    relay->caps = gst_caps_ref(gst_sample_get_caps(sample));
    // A client that came before the encoder's first picture (a camera just
    // started, a loaded machine) configured its media without caps: give
    // them now, or its payloader never negotiates and the shared stream
    // stays without video for every later client too.
    for (GstAppSrc* src : relay->sources) gst_app_src_set_caps(src, relay->caps);
  }
  for (GstAppSrc* src : relay->sources) {
    // Each media has its own clock and base time: let its appsrc stamp the
    // buffer on arrival (do-timestamp) instead of carrying the encoder's times.
    // Only while its media plays: a live appsrc stamps at push time from a
    // base time that is renewed when the media plays again, so a buffer
    // queued while it was paused (held between viewers, or prepared and
    // waiting for its first PLAY) would be stamped as far in the future as
    // the pause was long, and the RTP sink, which syncs, would hold the
    // stream back that long: a viewer got no video at all.
    GST_OBJECT_LOCK(src);
    const bool playing = GST_STATE(src) == GST_STATE_PLAYING && GST_STATE_PENDING(src) == GST_STATE_VOID_PENDING;
    GST_OBJECT_UNLOCK(src);
    if (!playing) continue;
    GstBuffer* copy = gst_buffer_copy(gst_sample_get_buffer(sample));
    GST_BUFFER_PTS(copy) = GST_BUFFER_DTS(copy) = GST_CLOCK_TIME_NONE;
    gst_app_src_push_buffer(src, copy);  // takes the copy
  }
  return GST_FLOW_OK;
}

// A media's appsrc is fed for the media's whole life, not only until it is
// first unprepared: gst-rtsp-server may prepare a shared media again, and
// an appsrc cut off then would leave a client with no video at all. Pushes
// to an appsrc that is not running are refused (FLUSHING) and dropped.
void on_media_gone(gpointer src, GObject*) {
  auto* relay = static_cast<Relay*>(g_object_get_data(G_OBJECT(src), "fakecam-relay"));
  std::lock_guard<std::mutex> lock(relay->mutex);
  auto it = std::find(relay->sources.begin(), relay->sources.end(), GST_APP_SRC(src));
  if (it != relay->sources.end()) {
    gst_object_unref(*it);
    relay->sources.erase(it);
  }
}

void on_media_configure(GstRTSPMediaFactory*, GstRTSPMedia* media, gpointer data) {
  auto* relay = static_cast<Relay*>(data);
  g_autoptr(GstElement) bin = gst_rtsp_media_get_element(media);
  GstElement* src = gst_bin_get_by_name(GST_BIN(bin), "relay");
  if (!src) return;  // the audio mode
  g_object_set_data(G_OBJECT(src), "fakecam-relay", relay);
  // Between viewers (the media paused) or with a client that stalls, the
  // camera keeps no more than the newest 0.3 s: a new viewer gets the live
  // stream, not a backlog that starts at an old keyframe.
  gst_util_set_object_arg(G_OBJECT(src), "leaky-type", "downstream");
  g_object_set(src, "max-time", static_cast<guint64>(300 * GST_MSECOND), "max-bytes", static_cast<guint64>(64) << 20,
               nullptr);
  std::lock_guard<std::mutex> lock(relay->mutex);
  if (relay->caps) gst_app_src_set_caps(GST_APP_SRC(src), relay->caps);
  relay->sources.push_back(GST_APP_SRC(src));  // takes the ref from get_by_name
  g_object_weak_ref(G_OBJECT(media), on_media_gone, src);
}

gboolean on_stdin_closed(gint, GIOCondition, gpointer loop) {
  g_main_loop_quit(static_cast<GMainLoop*>(loop));
  return G_SOURCE_REMOVE;
}

gboolean on_signal(gpointer loop) {
  g_main_loop_quit(static_cast<GMainLoop*>(loop));
  return G_SOURCE_REMOVE;
}

struct TmpDir {
  std::string path;
  ~TmpDir() {
    if (path.empty()) return;
    g_autoptr(GDir) dir = g_dir_open(path.c_str(), 0, nullptr);
    while (const char* name = dir ? g_dir_read_name(dir) : nullptr) g_remove((path + "/" + name).c_str());
    g_rmdir(path.c_str());
  }
};

// The NVR mode's blurred channels: "2,4" -> whether `channel` is one
// (every channel when no list is given).
bool channel_blurred(const Options& o, int channel) {
  if (!o.blurred_channels) return true;
  g_auto(GStrv) items = g_strsplit(o.blurred_channels, ",", -1);
  for (gchar** i = items; *i; ++i)
    if (std::atoi(*i) == channel) return true;
  return false;
}

// "/Streaming/Channels/{channel}01" with channel 3 -> "/Streaming/Channels/301".
std::string channel_path(std::string path, int channel) {
  const auto at = path.find("{channel}");
  if (at != std::string::npos) path.replace(at, 9, std::to_string(channel));
  return path;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  const GOptionEntry entries[] = {
      {"address", 'a', 0, G_OPTION_ARG_STRING, &o.address, "Loopback address to bind (default 127.0.0.1)", "ADDR"},
      {"port", 'p', 0, G_OPTION_ARG_INT, &o.port, "Port (0 = chosen by the system, the default)", "PORT"},
      {"mode", 'm', 0, G_OPTION_ARG_STRING, &o.mode, "rtsp (default), audio, garbage or silent", "MODE"},
      {"image", 'i', 0, G_OPTION_ARG_FILENAME, &o.image, "Image to show (default: a synthetic scene)", "FILE"},
      {"blur", 'b', 0, G_OPTION_ARG_DOUBLE, &o.blur, "Gaussian blur sigma in pixels (0 = sharp)", "SIGMA"},
      {"path", 0, 0, G_OPTION_ARG_STRING, &o.path, "Mount path (default /Streaming/Channels/101)", "PATH"},
      {"user", 'u', 0, G_OPTION_ARG_STRING, &o.user, "Require digest authentication as USER", "USER"},
      {"password-file", 0, 0, G_OPTION_ARG_FILENAME, &o.password_file, "The password for --user", "FILE"},
      {"basic", 0, 0, G_OPTION_ARG_NONE, &o.basic, "Basic instead of digest authentication", nullptr},
      {"width", 0, 0, G_OPTION_ARG_INT, &o.width, "Frame width (default 640)", "W"},
      {"height", 0, 0, G_OPTION_ARG_INT, &o.height, "Frame height (default 480)", "H"},
      {"fps", 0, 0, G_OPTION_ARG_INT, &o.fps, "Frame rate (default 10)", "N"},
      {"gop", 0, 0, G_OPTION_ARG_DOUBLE, &o.gop, "Seconds between keyframes (default 1)", "SECONDS"},
      {"codec", 0, 0, G_OPTION_ARG_STRING, &o.codec, "h264 (default) or h265", "CODEC"},
      {"10bit", 0, 0, G_OPTION_ARG_NONE, &o.ten_bit, "H.265 Main10 (10-bit samples)", nullptr},
      {"defocus", 0, 0, G_OPTION_ARG_STRING, &o.defocus,
       "How --blur defocuses: gaussian (sigma, the default) or disk (radius)", "KIND"},
      {"tcp-refuse", 0, 0, G_OPTION_ARG_NONE, &o.tcp_refuse, "Offer RTP over UDP only (SETUP over TCP gets 461)",
       nullptr},
      {"max-sessions", 0, 0, G_OPTION_ARG_INT, &o.max_sessions,
       "Serve at most N clients at once (SETUP beyond gets 503); 0 = no limit", "N"},
      {"channels", 0, 0, G_OPTION_ARG_INT, &o.channels,
       "NVR: serve N channels at --path with {channel} filled in (default /Streaming/Channels/{channel}01)", "N"},
      {"onvif-port", 0, 0, G_OPTION_ARG_INT, &o.onvif_port, "Also serve ONVIF on this HTTP port (0 = chosen)", "PORT"},
      {"discovery-port", 0, 0, G_OPTION_ARG_INT, &o.discovery_port,
       "With --onvif-port: answer WS-Discovery Probes on this UDP port (0 = chosen)", "PORT"},
      {"discovery-group", 0, 0, G_OPTION_ARG_NONE, &o.discovery_group,
       "With --onvif-port: answer on the real group 239.255.255.250:3702 (only in a namespace with nothing but lo)",
       nullptr},
      {"blurred-channels", 0, 0, G_OPTION_ARG_STRING, &o.blurred_channels,
       "NVR: blur only these channels by --blur, e.g. 2,4", "LIST"},
      {"change-to", 0, 0, G_OPTION_ARG_STRING, &o.change_to,
       "A second picture: defocus, scene or black (shown after --change-after, or on SIGUSR1; SIGUSR2 goes back)",
       "KIND"},
      {"change-after", 0, 0, G_OPTION_ARG_DOUBLE, &o.change_after, "Seconds after start to show --change-to",
       "SECONDS"},
      {"change-blur", 0, 0, G_OPTION_ARG_DOUBLE, &o.change_blur, "defocus: extra Gaussian sigma (default 2)", "SIGMA"},
      {"osd", 0, 0, G_OPTION_ARG_NONE, &o.osd, "Burn in a crisp date and camera name (OSD), after --blur", nullptr},
      {"osd-color", 0, 0, G_OPTION_ARG_STRING, &o.osd_color,
       "white (with a black outline, the default) or grey (plain mid-grey)", "COLOR"},
      {"motion", 0, 0, G_OPTION_ARG_NONE, &o.motion,
       "The scene pans slowly, except in still patches around the OSD (one camera, rtsp mode)", nullptr},
      {nullptr, 0, 0, G_OPTION_ARG_NONE, nullptr, nullptr, nullptr}};
  g_autoptr(GOptionContext) ctx = g_option_context_new("- a fake RTSP camera on loopback");
  g_option_context_add_main_entries(ctx, entries, nullptr);
  g_option_context_add_group(ctx, gst_init_get_option_group());
  g_autoptr(GError) err = nullptr;
  if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
    std::fprintf(stderr, "fakecam: %s\n", err->message);
    return 64;
  }
  const std::string address = o.address ? o.address : "127.0.0.1";
  const std::string mode = o.mode ? o.mode : "rtsp";
  if (address.rfind("127.", 0) != 0) {
    std::fprintf(stderr, "fakecam: refusing to bind %s: loopback (127.0.0.0/8) only\n", address.c_str());
    return 64;
  }
  if (o.port < 0 || o.port > 65535 || o.width < 16 || o.height < 16 || o.fps < 1 || !(o.gop > 0) || o.channels < 0 ||
      o.channels > 64) {
    std::fprintf(stderr, "fakecam: bad --port, --width, --height, --fps, --gop or --channels\n");
    return 64;
  }
  const std::string codec = o.codec ? o.codec : "h264";
  if ((codec != "h264" && codec != "h265") || (o.ten_bit && codec != "h265") ||
      (o.defocus && !g_str_equal(o.defocus, "gaussian") && !g_str_equal(o.defocus, "disk"))) {
    std::fprintf(stderr, "fakecam: --codec is h264 or h265 (--10bit needs h265); --defocus gaussian or disk\n");
    return 64;
  }

  const std::string change_to = o.change_to ? o.change_to : "";
  if ((!change_to.empty() && change_to != "defocus" && change_to != "scene" && change_to != "black") ||
      (!change_to.empty() && (o.channels > 0 || mode != "rtsp")) || (o.change_after >= 0 && change_to.empty()) ||
      !(o.change_blur > 0)) {
    std::fprintf(stderr,
                 "fakecam: --change-to is defocus, scene or black (one camera, rtsp mode); "
                 "--change-after needs it; --change-blur > 0\n");
    return 64;
  }

  if (o.osd_color && !g_str_equal(o.osd_color, "white") && !g_str_equal(o.osd_color, "grey")) {
    std::fprintf(stderr, "fakecam: --osd-color is white or grey\n");
    return 64;
  }
  if (o.motion && (!change_to.empty() || o.channels > 0 || mode != "rtsp")) {
    std::fprintf(stderr, "fakecam: --motion is for one camera in rtsp mode, without --change-to\n");
    return 64;
  }

  g_autoptr(GMainLoop) loop = g_main_loop_new(nullptr, FALSE);
  g_unix_signal_add(SIGINT, on_signal, loop);
  g_unix_signal_add(SIGTERM, on_signal, loop);
  g_unix_fd_add(0, static_cast<GIOCondition>(G_IO_HUP | G_IO_ERR), on_stdin_closed, loop);

  std::string error;
  int bound = -1;
  std::vector<GSocketConnection*> held_connections;
  g_autoptr(GSocketService) raw = nullptr;
  g_autoptr(GstRTSPServer) server = nullptr;
  TmpDir tmp;
  Relay relay;                                  // declared before the encoder: outlives its streaming thread
  std::unique_ptr<fakecam::MovingScene> scene;  // --motion; likewise
  struct EncoderDeleter {
    void operator()(GstElement* e) const {
      gst_element_set_state(e, GST_STATE_NULL);
      gst_object_unref(e);
    }
  };
  std::unique_ptr<GstElement, EncoderDeleter> encoder;
  GstRTSPMedia* held = nullptr;  // the stream clients share, prepared for good (below)

  if (mode == "garbage" || mode == "silent") {
    raw = g_socket_service_new();
    bound = listen_raw(raw, address.c_str(), o.port, error);
    if (mode == "garbage")
      g_signal_connect(raw, "incoming", G_CALLBACK(on_garbage_incoming), nullptr);
    else
      g_signal_connect(raw, "incoming", G_CALLBACK(on_silent_incoming), &held_connections);
    g_socket_service_start(raw);
  } else if (mode == "rtsp" || mode == "audio") {
    std::string frame_path;
    if (mode == "rtsp") {
      g_autofree gchar* dir = g_dir_make_tmp("fakecam-XXXXXX", &err);
      if (!dir) {
        std::fprintf(stderr, "fakecam: %s\n", err->message);
        return 1;
      }
      tmp.path = dir;
      frame_path = prepare_frame(o, tmp.path, error, o.channels > 0 ? 0 : o.blur);
      if (frame_path.empty()) {
        std::fprintf(stderr, "fakecam: %s\n", error.c_str());
        return 1;
      }
      std::string changed_path;
      if (!change_to.empty()) {
        changed_path = prepare_frame(o, tmp.path, error, o.blur, "changed.png", change_to);
        if (changed_path.empty()) {
          std::fprintf(stderr, "fakecam: %s\n", error.c_str());
          return 1;
        }
      }
      // An NVR's channels each encode inside their own media (below): the
      // relay's encoder would run for nobody.
      if (o.channels == 0) {
        if (o.motion) {
          cv::Mat wide = defocused_picture(o, o.width + 2 * fakecam::pan_margin(o.width), error, o.blur);
          if (wide.empty()) {
            std::fprintf(stderr, "fakecam: %s\n", error.c_str());
            return 1;
          }
          scene = std::make_unique<fakecam::MovingScene>(std::move(wide), o.width, o.height, o.fps, o.osd, osd_grey(o));
        }
        encoder.reset(gst_parse_launch(encoder_launch(o, codec, frame_path, changed_path, scene.get()).c_str(), &err));
        if (!encoder || err) {
          std::fprintf(stderr, "fakecam: cannot build the encoder: %s\n", err ? err->message : "unknown error");
          return 1;
        }
        if (scene) scene->attach(encoder.get());
        g_autoptr(GstElement) sink = gst_bin_get_by_name(GST_BIN(encoder.get()), "encoded");
        GstAppSinkCallbacks callbacks{};
        callbacks.new_sample = on_encoded;
        gst_app_sink_set_callbacks(GST_APP_SINK(sink), &callbacks, &relay, nullptr);
        // The camera is running before anyone connects: wait for its first
        // encoded frame (so the SDP can carry the parameter sets), then let it run.
        // The original picture from the first frame on (input-selector would
        // otherwise take whichever branch pushes first).
        if (!change_to.empty()) show_changed(encoder.get(), false);
        gst_element_set_state(encoder.get(), GST_STATE_PLAYING);
        for (int i = 0; i < 200; ++i) {
          {
            std::lock_guard<std::mutex> lock(relay.mutex);
            if (relay.caps) break;
          }
          g_usleep(50000);
        }
        std::lock_guard<std::mutex> lock(relay.mutex);
        if (!relay.caps) {
          std::fprintf(stderr, "fakecam: the encoder produced nothing within 10 s\n");
          return 1;
        }
      }
    }
    server = gst_rtsp_server_new();
    gst_rtsp_server_set_address(server, address.c_str());
    gst_rtsp_server_set_service(server, std::to_string(o.port).c_str());
    {
      // Clients served side by side, as a camera's RTSP server does: with
      // gst-rtsp-server's default of one thread for every client, a client
      // whose media is being prepared (an NVR channel's first viewer) holds
      // up the requests and the interleaved RTP of all the others.
      g_autoptr(GstRTSPThreadPool) threads = gst_rtsp_server_get_thread_pool(server);
      gst_rtsp_thread_pool_set_max_threads(threads, 16);
    }
    if (o.max_sessions > 0) {
      g_autoptr(GstRTSPSessionPool) pool = gst_rtsp_server_get_session_pool(server);
      gst_rtsp_session_pool_set_max_sessions(pool, static_cast<guint>(o.max_sessions));
    }

    g_autoptr(GstRTSPMediaFactory) factory = gst_rtsp_media_factory_new();
    gst_rtsp_media_factory_set_launch(factory, media_launch(mode, codec).c_str());
    gst_rtsp_media_factory_set_shared(factory, TRUE);  // one stream for every client, as cameras do
    if (o.tcp_refuse)
      gst_rtsp_media_factory_set_protocols(
          factory, static_cast<GstRTSPLowerTrans>(GST_RTSP_LOWER_TRANS_UDP | GST_RTSP_LOWER_TRANS_UDP_MCAST));
    g_signal_connect(factory, "media-configure", G_CALLBACK(on_media_configure), &relay);
    if (o.user) {
      std::string password;
      if (!o.password_file || !read_password(o.password_file, password)) {
        std::fprintf(stderr, "fakecam: --user needs a readable --password-file\n");
        return 64;
      }
      g_autoptr(GstRTSPAuth) auth = GST_RTSP_AUTH(g_object_new(strict_auth_get_type(), nullptr));
      gst_rtsp_auth_set_supported_methods(auth, o.basic ? GST_RTSP_AUTH_BASIC : GST_RTSP_AUTH_DIGEST);
      g_autoptr(GstRTSPToken) token =
          gst_rtsp_token_new(GST_RTSP_TOKEN_MEDIA_FACTORY_ROLE, G_TYPE_STRING, "viewer", nullptr);
      if (o.basic) {
        g_autofree gchar* basic = gst_rtsp_auth_make_basic(o.user, password.c_str());
        gst_rtsp_auth_add_basic(auth, basic, token);
      } else {
        gst_rtsp_auth_add_digest(auth, o.user, password.c_str(), token);
      }
      gst_rtsp_media_factory_add_role(factory, "viewer", GST_RTSP_PERM_MEDIA_FACTORY_ACCESS, G_TYPE_BOOLEAN, TRUE,
                                      GST_RTSP_PERM_MEDIA_FACTORY_CONSTRUCT, G_TYPE_BOOLEAN, TRUE, nullptr);
      gst_rtsp_server_set_auth(server, auth);
    }
    // Mount points match the path without its query string, as cameras do.
    std::string path = o.path ? o.path : o.channels > 0 ? "/Streaming/Channels/{channel}01" : "/Streaming/Channels/101";
    path = path.substr(0, path.find('?'));
    g_autoptr(GstRTSPMountPoints) mounts = gst_rtsp_server_get_mount_points(server);
    if (o.channels == 0)
      gst_rtsp_mount_points_add_factory(mounts, path.c_str(), GST_RTSP_MEDIA_FACTORY(g_object_ref(factory)));
    // NVR: one factory per channel, each with its own picture, sharing the
    // authentication set up above.
    for (int channel = 1; channel <= o.channels && mode == "rtsp"; ++channel) {
      const std::string name = "channel-" + std::to_string(channel) + ".png";
      const std::string frame = prepare_frame(o, tmp.path, error, channel_blurred(o, channel) ? o.blur : 0, name);
      if (frame.empty()) {
        std::fprintf(stderr, "fakecam: %s\n", error.c_str());
        return 1;
      }
      GstRTSPMediaFactory* channel_factory = gst_rtsp_media_factory_new();
      gst_rtsp_media_factory_set_launch(channel_factory, channel_media_launch(o, frame).c_str());
      gst_rtsp_media_factory_set_shared(channel_factory, TRUE);
      if (o.user)
        gst_rtsp_media_factory_add_role(channel_factory, "viewer", GST_RTSP_PERM_MEDIA_FACTORY_ACCESS, G_TYPE_BOOLEAN,
                                        TRUE, GST_RTSP_PERM_MEDIA_FACTORY_CONSTRUCT, G_TYPE_BOOLEAN, TRUE, nullptr);
      gst_rtsp_mount_points_add_factory(mounts, channel_path(path, channel).c_str(), channel_factory);
    }

    if (gst_rtsp_server_attach(server, nullptr) == 0)
      error = "cannot listen on " + address + ":" + std::to_string(o.port);
    else
      bound = gst_rtsp_server_get_bound_port(server);
    // A camera's stream never stops between viewers: prepare the media the
    // clients' URL maps to (the shared factory caches it under that URL)
    // and hold it, so it is never torn down and rebuilt while a new client
    // joins (gst-rtsp-server would otherwise unprepare it after the last one).
    GstRTSPUrl* url = nullptr;
    const std::string full = "rtsp://" + address + ":" + std::to_string(bound) + path;
    if (mode == "rtsp" && o.channels == 0 && bound > 0 && gst_rtsp_url_parse(full.c_str(), &url) == GST_RTSP_OK) {
      held = gst_rtsp_media_factory_construct(factory, url);
      g_autoptr(GstRTSPThreadPool) pool = gst_rtsp_server_get_thread_pool(server);
      GstRTSPThread* thread = gst_rtsp_thread_pool_get_thread(pool, GST_RTSP_THREAD_TYPE_MEDIA, nullptr);
      if (!held || !thread || !gst_rtsp_media_prepare(held, thread)) error = "cannot prepare the stream";
      if (!error.empty()) bound = -1;
      gst_rtsp_url_free(url);
    }
  } else {
    std::fprintf(stderr, "fakecam: unknown --mode %s (rtsp, audio, garbage, silent)\n", mode.c_str());
    return 64;
  }

  if (bound < 0) {
    std::fprintf(stderr, "fakecam: %s\n", error.c_str());
    return 1;
  }
  std::string extra_ports;
  if (o.onvif_port >= 0 && mode == "rtsp") {
    FakeOnvifConfig onvif;
    onvif.address = address;
    onvif.port = o.onvif_port;
    if (o.user) {
      onvif.user = o.user;
      read_password(o.password_file, onvif.password);
    }
    std::string path = o.path ? o.path : o.channels > 0 ? "/Streaming/Channels/{channel}01" : "/Streaming/Channels/101";
    path = channel_path(path, 1);
    onvif.stream_uri = "rtsp://" + address + ":" + std::to_string(bound) + path;
    onvif.sub_uri = onvif.stream_uri;
    onvif.name = "fakecam " + address;
    const int onvif_bound = start_fake_onvif(onvif, error);
    if (o.discovery_group && !only_loopback_interface()) {
      std::fprintf(stderr, "fakecam: --discovery-group only inside a network namespace with nothing but lo\n");
      return 64;
    }
    int discovery_bound = 0;
    if (onvif_bound > 0 && o.discovery_group)
      discovery_bound = start_fake_discovery_group(onvif, onvif_bound, error);
    else if (onvif_bound > 0 && o.discovery_port >= 0)
      discovery_bound = start_fake_discovery(onvif, onvif_bound, o.discovery_port, error);
    if (onvif_bound < 0 || discovery_bound < 0) {
      std::fprintf(stderr, "fakecam: ONVIF: %s\n", error.c_str());
      return 1;
    }
    extra_ports =
        " " + std::to_string(onvif_bound) + (discovery_bound > 0 ? " " + std::to_string(discovery_bound) : "");
  }
  if (!change_to.empty() && encoder) {  // not for an NVR: its channels have their own encoders
    g_unix_signal_add(SIGUSR1, on_change_signal, encoder.get());
    g_unix_signal_add(SIGUSR2, on_restore_signal, encoder.get());
    if (o.change_after >= 0) g_timeout_add(static_cast<guint>(o.change_after * 1000), on_change_timer, encoder.get());
  }
  std::printf("READY %s %d%s\n", address.c_str(), bound, extra_ports.c_str());
  std::fflush(stdout);
  g_main_loop_run(loop);
  if (held) {
    gst_rtsp_media_unprepare(held);
    g_object_unref(held);
  }
  for (GSocketConnection* c : held_connections) g_object_unref(c);
  return 0;
}
