// The `model-object` property's type: a boxed std::shared_ptr<const
// focusmeter::Model>, for applications that embed the element and already
// hold a loaded model (focusmeter scan and check load theirs once and hand it
// to every pipeline they build, instead of each element re-reading a file).
//
// Setting it from C++ (the boxed copy takes its own reference):
//   std::shared_ptr<const focusmeter::Model> model = ...;
//   g_object_set(element, "model-object", &model, nullptr);
// The caller needs neither this header nor a link to the plugin: the type is
// registered by the plugin under the name "FocusmeterModel", and the
// property's value is a pointer to the caller's shared_ptr. Both sides must
// be built from the same focusmeter core (same Model layout).
#pragma once

#include <glib-object.h>

#include <memory>

#include "focusmeter/model.h"

using FocusmeterModel = std::shared_ptr<const focusmeter::Model>;

G_BEGIN_DECLS

#define FOCUSMETER_TYPE_MODEL (focusmeter_model_get_type())
GType focusmeter_model_get_type(void);

G_END_DECLS
