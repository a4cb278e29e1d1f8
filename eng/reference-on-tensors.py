#!/usr/bin/env python3
"""Runs the PyTorch reference (shared/reference/reference_gatys.py: its network, features, Gram and loop) on the
exact preprocessed tensors that NeuralStyle's preset runner wrote, so both sides start from identical inputs.

usage: reference-on-tensors.py REFERENCE_DIR WEIGHTS TENSOR_DIR [--device cpu|cuda] [--steps 200] [--threads N]
       [--presets composition_vii,the_scream,starry_night]
prints one JSON line per preset: ms/step and final losses (evaluated as the reference does).
"""
import argparse, json, os, sys, time

ap = argparse.ArgumentParser()
ap.add_argument("reference_dir"); ap.add_argument("weights"); ap.add_argument("tensor_dir")
ap.add_argument("--device", default="cpu"); ap.add_argument("--steps", type=int, default=200)
ap.add_argument("--threads", type=int, default=0)
ap.add_argument("--presets", default="composition_vii,the_scream,starry_night")
a = ap.parse_args()
sys.path.insert(0, a.reference_dir)
import torch
import reference_gatys as ref  # the reference's own functions, imported, not copied

if a.threads:
    torch.set_num_threads(a.threads)
dev = torch.device(a.device)
net = ref.load_features(a.weights, dev)

def load(name, kind):
    shapes = json.load(open(os.path.join(a.tensor_dir, name + ".json")))
    raw = open(os.path.join(a.tensor_dir, f"{name}.{kind}.f32"), "rb").read()
    return torch.frombuffer(bytearray(raw), dtype=torch.float32).reshape(shapes[kind]).to(dev)

for name in a.presets.split(","):
    p = ref.PRESETS[name]
    content, style = load(name, "content"), load(name, "style")
    upto = max(p["style_layers"] + (p["content_layer"],))
    with torch.no_grad():
        target_c = ref.features(content, net, upto)[p["content_layer"]].clone()
        sf = ref.features(style, net, upto)
        target_s = [ref.gram(sf[i]).clone() for i in p["style_layers"]]
    img = content.clone().requires_grad_(True)
    opt = torch.optim.Adam([img], lr=3.0)
    decay = round(a.steps * 0.9)
    if dev.type == "cuda": torch.cuda.synchronize()
    t1 = time.perf_counter()
    for t in range(a.steps):
        if t < a.steps - 10:
            with torch.no_grad(): img.clamp_(-1.5, 1.5)
        opt.zero_grad()
        f = ref.features(img, net, upto)
        c_loss = p["content_weight"] * ((f[p["content_layer"]] - target_c) ** 2).sum()
        s_loss = sum(w * ((ref.gram(f[i]) - g) ** 2).sum() for i, w, g in zip(p["style_layers"], p["style_weights"], target_s))
        tv = p["tv_weight"] * (((img[:, :, 1:, :] - img[:, :, :-1, :]) ** 2).sum() + ((img[:, :, :, 1:] - img[:, :, :, :-1]) ** 2).sum())
        loss = c_loss + s_loss + tv
        loss.backward()
        if t == decay: opt = torch.optim.Adam([img], lr=0.1)
        opt.step()
    if dev.type == "cuda": torch.cuda.synchronize()
    t2 = time.perf_counter()
    ref.deprocess(img).save(os.path.join(a.tensor_dir, name + ".reference.png"))
    print(json.dumps(dict(runner="pytorch", preset=name, device=str(dev), torch=torch.__version__, size=list(img.shape[2:]),
                          steps=a.steps, threads=torch.get_num_threads(), loop_s=round(t2 - t1, 3),
                          ms_per_step=round(1000 * (t2 - t1) / a.steps, 2),
                          content=float(c_loss), style=float(s_loss), tv=float(tv), total=float(loss))), flush=True)
