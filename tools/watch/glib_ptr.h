// Owning pointers for GLib objects kept as members (g_autoptr only works on
// local variables): GObjects, main contexts, and attached GSources (which
// are destroyed, not just unreferenced, so a pending timer never fires
// into a dead owner).
#pragma once

#include <glib-object.h>

#include <memory>

namespace focusmeter::watch {

struct GObjectUnref {
  void operator()(gpointer p) const { g_object_unref(p); }
};
template <typename T>
using GObjectPtr = std::unique_ptr<T, GObjectUnref>;

struct GMainContextUnref {
  void operator()(GMainContext* c) const { g_main_context_unref(c); }
};
using GMainContextPtr = std::unique_ptr<GMainContext, GMainContextUnref>;

struct GSourceDestroy {
  void operator()(GSource* s) const {
    g_source_destroy(s);
    g_source_unref(s);
  }
};
using GSourcePtr = std::unique_ptr<GSource, GSourceDestroy>;

}  // namespace focusmeter::watch
