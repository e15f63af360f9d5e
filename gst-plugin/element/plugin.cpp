// SPDX-License-Identifier: LGPL-2.1-or-later
#include <gst/gst.h>

#include "gstfocusmeter.h"

static gboolean plugin_init(GstPlugin* plugin) { return GST_ELEMENT_REGISTER(focusmeter, plugin); }

GST_PLUGIN_DEFINE(GST_VERSION_MAJOR, GST_VERSION_MINOR, focusmeter, "Focus measurement for video: CLEAR or BLURRY",
                  plugin_init, FOCUSMETER_VERSION, "LGPL", "focusmeter", "https://github.com/focusmeter/focusmeter")
