// The `focusmeter` element: a passthrough GstVideoFilter that measures focus
// on decoded frames and posts `focusmeter` element messages on the bus.
// Thin glue: every measure comes from the C++ core (gst-plugin/core).
#pragma once

#include <gst/video/gstvideofilter.h>

G_BEGIN_DECLS

#define GST_TYPE_FOCUSMETER (gst_focusmeter_get_type())
G_DECLARE_FINAL_TYPE(GstFocusmeter, gst_focusmeter, GST, FOCUSMETER, GstVideoFilter)

GST_ELEMENT_REGISTER_DECLARE(focusmeter);

G_END_DECLS
