class AmiPeer: pass
