"""Writes the recorded pipefit.measure/1 files of this folder.

These are SYNTHETIC results, not GPU measurements: no GPU was available when
they were made. Their `pipefit` blocks (model, strategy, workload and the
prediction) are the SPECs of real probes that `pipefit measure` wrote; their
measured numbers are round values chosen so the ingestion and calibration
tests can assert exact bytes and seconds (tests/calibrate_test.cc). The
environment block copies the shape torch reports on an H100 SXM.

Regenerate (from this folder, with the build's pipefit):
  P=../../../build/pipefit
  $P measure --gpu H100 --ram 256GiB --strategy full+gpu --steps 4 --emit - > p_real.py
  $P measure --gpu H100 --ram 256GiB --strategy full+model_offload --steps 4 --emit - > p_mo.py
  $P measure --gpu H100 --ram 256GiB --strategy full+gpu --steps 4 --height 2048 --width 2048 --emit - > p_big.py
  python3 make_fixtures.py .
"""
import ast, json, sys
def spec_of(path):
    src=open(path).read()
    line=[l for l in src.splitlines() if l.startswith('SPEC = json.loads(')][0]
    return json.loads(ast.literal_eval(line[len('SPEC = json.loads('):-1]))
ENV={"python":"3.11.10","platform":"Linux-5.15-x86_64","packages":{"torch":"2.8.0","diffusers":"0.36.0","transformers":"4.57.1","accelerate":"1.10.1","bitsandbytes":None,"torchao":None,"gguf":None},
     "cuda_runtime":"12.8","device":"cuda","gpu":{"name":"NVIDIA H100 80GB HBM3","total_memory":85045870592,"capability":"9.0","driver":"570.133.20","count":1},"host_ram":270000000000}
def stage(name, comp, index, call, sec, alloc, res, rss=30_000_000_000, peak=31_000_000_000, free=None):
    return {"name":name,"component":comp,"index":index,"call":call,"seconds":sec,"max_memory_allocated":alloc,"max_memory_reserved":res,
            "device_free":free if free is not None else 85045870592-res-600_000_000,"rss":rss,"rss_peak":peak}
def doc(spec, status, stages, calls, error=None, env=ENV):
    return {"schema":"pipefit.measure/1","status":status,"pipefit":spec["pipefit"],"environment":env,"rss_peak_scope":"stage",
            "baseline":{"max_memory_allocated":0,"max_memory_reserved":0,"device_free":84400000000,"rss":900000000,"rss_peak":900000000,"device_used":645870592},
            "hooked":["text_encoder","text_encoder_2","transformer","vae"],"stages":stages,"calls":calls,"error":error}
def full_run(spec, steps_alloc, decode_alloc, decode_res, call_secs, rss_peak=33_000_000_000):
    st=[stage("load",None,None,None,41.5,33_741_248_000,33_803_000_000, peak=rss_peak)]
    calls=[]
    for c,secs in enumerate(call_secs):
        st.append(stage("text_encode","text_encoder",None,c,0.01,33_760_000_000,33_900_000_000))
        st.append(stage("text_encode","text_encoder_2",None,c,0.03,33_950_000_000,34_100_000_000))
        for i in range(spec["pipefit"]["workload"]["steps"]):
            st.append(stage("denoise","transformer",i,c,secs*0.2,steps_alloc,37_000_000_000))
        st.append(stage("decode","vae",None,c,secs*0.1,decode_alloc,decode_res))
        calls.append({"index":c,"seconds":secs,"max_memory_allocated":decode_alloc,"max_memory_reserved":decode_res,"min_device_free":85045870592-decode_res-600_000_000,"rss_peak":31_000_000_000})
    return st, calls
out=sys.argv[1]
s=spec_of('p_real.py')
st,calls=full_run(s, 34_200_000_000, 37_500_000_000, 39_000_000_000, [2.0,1.5])
json.dump(doc(s,"ok",st,calls),open(out+'/h100_flux_full_gpu.json','w'),indent=1)
m=spec_of('p_mo.py')
pred=m["pipefit"]["predicted"]["seconds"]
st,calls=full_run(m, 24_500_000_000, 1_000_000_000+ 0, 2_000_000_000, [round(pred*1.2,4)])
# model offload: only the running component is resident; keep numbers simple
for x in st:
    if x["name"]=="denoise": x["max_memory_allocated"]=24_500_000_000; x["max_memory_reserved"]=25_000_000_000
    if x["name"]=="decode": x["max_memory_allocated"]=3_000_000_000; x["max_memory_reserved"]=3_500_000_000
    if x["name"]=="load": x["max_memory_allocated"]=0; x["max_memory_reserved"]=0
    if x["name"]=="text_encode": x["max_memory_allocated"]=9_700_000_000; x["max_memory_reserved"]=9_800_000_000
calls[0]["max_memory_allocated"]=24_500_000_000; calls[0]["max_memory_reserved"]=25_000_000_000
json.dump(doc(m,"ok",st,calls),open(out+'/h100_flux_model_offload.json','w'),indent=1)
b=spec_of('p_big.py')
st=[stage("load",None,None,None,40.0,33_741_248_000,33_803_000_000),
    stage("text_encode","text_encoder",None,0,0.01,33_760_000_000,33_900_000_000),
    stage("text_encode","text_encoder_2",None,0,0.03,33_950_000_000,34_100_000_000),
    stage("denoise","transformer",0,0,3.0,84_000_000_000,84_200_000_000)]
err={"type":"OutOfMemoryError","message":"CUDA out of memory. Tried to allocate 4.00 GiB. GPU 0 has a total capacity of 79.21 GiB of which 1.2 GiB is free.","stage":"denoise","traceback":"Traceback (most recent call last): ..."}
json.dump(doc(b,"oom",st,[],err),open(out+'/h100_flux_full_gpu_2048_oom.json','w'),indent=1)
cpu=dict(ENV); cpu["device"]="cpu"; cpu["gpu"]=None
st,calls=full_run(s, 0, 0, 0, [30.0])
for x in st: x["max_memory_allocated"]=None; x["max_memory_reserved"]=None; x["device_free"]=None
for c in calls: c["max_memory_allocated"]=None; c["max_memory_reserved"]=None; c["min_device_free"]=None
json.dump(doc(s,"ok",st,calls,None,cpu),open(out+'/cpu_smoke.json','w'),indent=1)
err={"type":"ImportError","message":"No module named 'diffusers'","stage":"load","traceback":"..."}
json.dump(doc(s,"error",[],[],err,ENV),open(out+'/probe_error.json','w'),indent=1)
print("ok", pred)
